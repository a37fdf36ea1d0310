import { describe, expect, it } from "vitest";
import { feelingsOf, isYoung, vocabularyFor } from "./feelings";
import type { FeelingDef } from "./types";

/** The server's vocabulary (ruptures/feelings.py). */
const SERVER: FeelingDef[] = [
  { code: "hurt", emoji: "🤕", label_young: "Hurt", label: "Hurt", young: true, little: true },
  { code: "angry", emoji: "😠", label_young: "Mad", label: "Angry", young: true, little: true },
  { code: "ignored", emoji: "🙈", label_young: "Not listened to", label: "Ignored", young: true, little: false },
  { code: "disappointed", emoji: "😞", label_young: "Let down", label: "Disappointed", young: false, little: false },
  { code: "unfair", emoji: "⚖️", label_young: "Not fair", label: "Treated unfairly", young: false, little: false },
];

describe("the feelings vocabulary", () => {
  it("only children under 13 get the simple screen", () => {
    expect(isYoung("under_13")).toBe(true);
    expect(isYoung("13_17")).toBe(false);
    expect(isYoung("unknown")).toBe(false);
    expect(isYoung(null)).toBe(false);
  });

  it("children under 13 get the young subset in simple words", () => {
    expect(vocabularyFor(SERVER, "under_13")).toEqual([
      { code: "hurt", emoji: "🤕", label: "Hurt" },
      { code: "angry", emoji: "😠", label: "Mad" },
      { code: "ignored", emoji: "🙈", label: "Not listened to" },
    ]);
  });

  it("children under 8 get the little picture set, in simple words", () => {
    expect(vocabularyFor(SERVER, "under_13", true).map((f) => f.label)).toEqual(["Hurt", "Mad"]);
    expect(vocabularyFor(SERVER, "under_13", false)).toHaveLength(3);
  });

  it("teens and adults get every feeling in fuller words", () => {
    expect(vocabularyFor(SERVER, "13_17").map((f) => f.label)).toContain("Treated unfairly");
    expect(vocabularyFor(SERVER, "adult")).toHaveLength(5);
  });

  it("names a rupture's feelings in the reader's words", () => {
    const refs = [{ code: "angry", label: "Angry", emoji: "😠" }, { code: "old_code", label: "Old code", emoji: "" }];
    expect(feelingsOf(refs, SERVER, "under_13").map((f) => f.label)).toEqual(["Mad", "Old code"]);
    expect(feelingsOf(refs, [], "under_13").map((f) => f.label)).toEqual(["Angry", "Old code"]);
    expect(feelingsOf(refs, SERVER, "adult").map((f) => f.label)).toEqual(["Angry", "Old code"]);
  });
});
