import { describe, expect, it } from "vitest";
import { feelingLabel, feelingsOf, isYoung, normaliseBand, vocabularyFor } from "./feelings";
import type { FeelingDef } from "./types";

describe("normaliseBand", () => {
  it.each([
    [null, "adult"],
    ["", "adult"],
    ["young", "young"],
    ["under_8", "young"],
    ["4-7", "young"],
    ["3_7", "young"],
    ["8-12", "child"],
    ["8_12", "child"],
    ["child", "child"],
    ["tween", "child"],
    ["13-17", "teen"],
    ["teen", "teen"],
    ["18+", "adult"],
    ["adult", "adult"],
    ["13_plus", "teen"],
    ["under_13", "young"],
    ["unknown", "adult"],
  ] as const)("%s → %s", (raw, band) => {
    expect(normaliseBand(raw)).toBe(band);
  });

  it("only the youngest band gets the simple screen", () => {
    expect(isYoung("young")).toBe(true);
    expect(isYoung("child")).toBe(false);
  });
});

const LABELLED: FeelingDef[] = [
  { code: "sad", emoji: "😢", labels: { under_8: "Sad", "8_12": "Sad", "13_17": "Down", adult: "Sad" } },
  { code: "mad", emoji: "😠", labels: { under_8: "Mad", "13_17": "Angry" } },
  { code: "embarrassed", emoji: "😳", labels: { "8_12": "Embarrassed" } },
  { code: "humiliated", emoji: "😞", labels: { "13_17": "Humiliated", adult: "Humiliated" } },
];

/** The server's vocabulary (ruptures/feelings.py). */
const SERVER: FeelingDef[] = [
  { code: "hurt", emoji: "🤕", label_young: "Hurt", label: "Hurt", young: true },
  { code: "angry", emoji: "😠", label_young: "Mad", label: "Angry", young: true },
  { code: "ignored", emoji: "🙈", label_young: "Not listened to", label: "Ignored", young: true },
  { code: "disappointed", emoji: "😞", label_young: "Let down", label: "Disappointed", young: false },
  { code: "unfair", emoji: "⚖️", label_young: "Not fair", label: "Treated unfairly", young: false },
];

describe("vocabularyFor with the server's vocabulary", () => {
  it("children under 13 get the young subset in simple words", () => {
    expect(vocabularyFor(SERVER, normaliseBand("under_13"))).toEqual([
      { code: "hurt", emoji: "🤕", label: "Hurt" },
      { code: "angry", emoji: "😠", label: "Mad" },
      { code: "ignored", emoji: "🙈", label: "Not listened to" },
    ]);
  });

  it("teens and adults get every feeling in fuller words", () => {
    expect(vocabularyFor(SERVER, normaliseBand("13_17")).map((f) => f.label)).toEqual([
      "Hurt",
      "Angry",
      "Ignored",
      "Disappointed",
      "Treated unfairly",
    ]);
    expect(vocabularyFor(SERVER, normaliseBand("adult"))).toHaveLength(5);
  });

  it("names a rupture's embedded feelings in the reader's words", () => {
    const refs = [{ code: "angry", label: "Angry", emoji: "😠" }, { code: "old_code", label: "Old code", emoji: "" }];
    expect(feelingsOf(refs, SERVER, "young").map((f) => f.label)).toEqual(["Mad", "Old code"]);
    expect(feelingsOf(refs, [], "young").map((f) => f.label)).toEqual(["Angry", "Old code"]);
    expect(feelingsOf(["angry"], SERVER, "adult").map((f) => f.label)).toEqual(["Angry"]);
  });
});

describe("vocabularyFor with labels by band", () => {
  it("young children only see words written for them", () => {
    expect(vocabularyFor(LABELLED, "young")).toEqual([
      { code: "sad", emoji: "😢", label: "Sad" },
      { code: "mad", emoji: "😠", label: "Mad" },
    ]);
  });

  it("older readers get the fuller list, with the closest label at or below their band", () => {
    expect(vocabularyFor(LABELLED, "child").map((f) => [f.code, f.label])).toEqual([
      ["sad", "Sad"],
      ["mad", "Mad"],
      ["embarrassed", "Embarrassed"],
    ]);
    expect(vocabularyFor(LABELLED, "teen").map((f) => [f.code, f.label])).toEqual([
      ["sad", "Down"],
      ["mad", "Angry"],
      ["embarrassed", "Embarrassed"],
      ["humiliated", "Humiliated"],
    ]);
    expect(vocabularyFor(LABELLED, "adult")).toHaveLength(4);
  });
});

describe("vocabularyFor with explicit age_bands", () => {
  const defs: FeelingDef[] = [
    { code: "sad", emoji: "😢", label: "Sad", age_bands: ["under_8", "8_12", "13_17", "adult"] },
    { code: "resentful", emoji: "😒", label: "Resentful", age_bands: ["13_17", "adult"] },
  ];
  it("follows the list", () => {
    expect(vocabularyFor(defs, "young").map((f) => f.code)).toEqual(["sad"]);
    expect(vocabularyFor(defs, "teen").map((f) => f.code)).toEqual(["sad", "resentful"]);
  });
});

describe("vocabularyFor with a flat list", () => {
  const flat: FeelingDef[] = Array.from({ length: 12 }, (_, i) => ({ code: `f${i}`, label: `Feeling ${i}` }));
  it("gives older readers everything and young children a short list", () => {
    expect(vocabularyFor(flat, "adult")).toHaveLength(12);
    expect(vocabularyFor(flat, "young")).toHaveLength(8);
  });
});

describe("feelingLabel", () => {
  it("names a feeling in the reader's words, falling back to any label or the code", () => {
    expect(feelingLabel(LABELLED, "sad", "teen").label).toBe("Down");
    expect(feelingLabel(LABELLED, "humiliated", "young").label).toBe("Humiliated");
    expect(feelingLabel(LABELLED, "left_out", "adult").label).toBe("left out");
  });
});
