import { describe, expect, it } from "vitest";
import {
  back,
  buildFlagPayload,
  buildUnsafePayload,
  canSend,
  chooseFeeling,
  chooseParent,
  simulateMinimalFlow,
  startFlag,
  toggleFeeling,
  update,
} from "./flagFlow";

const mum = { id: 11, display_name: "Mum" };
const dad = { id: 12, display_name: "Dad" };
const now = new Date("2026-11-22T10:00:00Z");

describe("three taps from home", () => {
  it.each([
    ["one parent", [mum]],
    ["two parents", [mum, dad]],
    ["three grown-ups", [mum, dad, { id: 13, display_name: "Gran" }]],
  ])("%s: home button, a feeling, Send", (_label, parents) => {
    const { taps, state } = simulateMinimalFlow(1, parents, "sad");
    expect(taps).toBeLessThanOrEqual(3);
    expect(state.step).toBe("send");
    expect(canSend(state)).toBe(true);
  });
});

describe("startFlag", () => {
  it("skips 'who' when there is only one parent", () => {
    expect(startFlag(1, [mum])).toMatchObject({ step: "feel", draft: { parentId: 11 } });
  });

  it("asks 'who' when there are several and none was chosen on home", () => {
    expect(startFlag(1, [mum, dad])).toMatchObject({ step: "who", draft: { parentId: null } });
  });

  it("takes the parent chosen on home (ids may arrive as strings from the URL)", () => {
    expect(startFlag(1, [mum, dad], "12")).toMatchObject({ step: "feel", draft: { parentId: "12" } });
  });

  it("ignores a preselected id that is not a parent", () => {
    expect(startFlag(1, [mum, dad], "99").step).toBe("who");
  });
});

describe("steps", () => {
  it("moves who → feel → send and back", () => {
    let s = startFlag(1, [mum, dad]);
    s = chooseParent(s, 12);
    expect(s.step).toBe("feel");
    s = chooseFeeling(s, "scared");
    expect(s).toMatchObject({ step: "send", draft: { feelings: ["scared"] } });
    expect(back(s, 2)?.step).toBe("feel");
    expect(back({ ...s, step: "feel" }, 2)?.step).toBe("who");
    expect(back({ ...s, step: "feel" }, 1)).toBeNull();
  });

  it("adds and removes more feelings but never the last one", () => {
    let s = chooseFeeling(startFlag(1, [mum]), "sad");
    s = toggleFeeling(s, "angry");
    expect(s.draft.feelings).toEqual(["sad", "angry"]);
    s = toggleFeeling(s, "sad");
    expect(s.draft.feelings).toEqual(["angry"]);
    expect(toggleFeeling(s, "angry").draft.feelings).toEqual(["angry"]);
  });

  it("cannot send without a parent or a feeling", () => {
    expect(canSend(startFlag(1, [mum, dad]))).toBe(false);
    expect(canSend(startFlag(1, [mum]))).toBe(false);
  });
});

describe("payloads", () => {
  it("sends only what was chosen, with the default intensity", () => {
    const s = chooseFeeling(startFlag(5, [mum]), "sad");
    expect(buildFlagPayload(s, now)).toEqual({
      family: 5,
      parent: 11,
      feelings: ["sad"],
      intensity: 3,
      occurred_at: "2026-11-22T10:00:00.000Z",
      unsafe: false,
    });
  });

  it("adds the optional details and turns 'space for' into a time", () => {
    let s = chooseFeeling(startFlag(5, [mum]), "sad");
    s = update(s, { intensity: 5, size: "big", need: "space", note: "  at dinner ", spaceMinutes: 30 });
    expect(buildFlagPayload(s, now)).toMatchObject({
      intensity: 5,
      size: "big",
      need: "space",
      note: "at dinner",
      needs_space_until: "2026-11-22T10:30:00.000Z",
    });
  });

  it("refuses to build an incomplete flag", () => {
    expect(() => buildFlagPayload(startFlag(5, [mum, dad]), now)).toThrow();
  });

  it("the unsafe flag needs nothing chosen: a fallback parent and 'scared' fill what the server requires", () => {
    expect(buildUnsafePayload(null, 5, now, 11)).toEqual({
      family: 5,
      parent: 11,
      unsafe: true,
      feelings: ["scared"],
      intensity: 5,
      occurred_at: "2026-11-22T10:00:00.000Z",
    });
    const s = chooseFeeling(startFlag(5, [mum]), "scared");
    expect(buildUnsafePayload(s, 5, now)).toMatchObject({ parent: 11, feelings: ["scared"], unsafe: true });
  });
});
