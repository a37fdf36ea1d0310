import { describe, expect, it } from "vitest";
import { actionsFor, followUpDue, listOf, myRole, nameOf, sideOf, stepsOf } from "./model";
import type { Me, Rupture } from "./types";

const base: Rupture = { id: 1, family: 3, status: "flagged", parent: { id: 10, display_name: "Mum" }, child: { id: 20, display_name: "Ada" }, started_by: "child" };

describe("actionsFor without allowed_actions (mirrors ruptures/states.py)", () => {
  it("the addressed parent acknowledges a child's flag; the child may withdraw; both may write", () => {
    expect(actionsFor(base, 10)).toEqual(["acknowledge", "message"]);
    expect(actionsFor(base, "20")).toEqual(["withdraw", "message"]);
    expect(actionsFor(base, 99)).toEqual([]);
  });

  it("in repair the parent works the steps; both confirm once; only the child says not yet", () => {
    const inRepair = { ...base, status: "acknowledged" as const };
    expect(actionsFor(inRepair, 10)).toEqual(["repair", "confirm", "message"]);
    expect(actionsFor(inRepair, 20)).toEqual(["confirm", "not_yet", "withdraw", "message"]);
    const oneSide = { ...base, status: "awaiting_confirmation" as const, confirmations: { child: null, parent: "2026-11-22T10:00:00Z" } };
    expect(actionsFor(oneSide, 10)).toEqual(["repair", "message"]);
    expect(actionsFor(oneSide, 20)).toContain("confirm");
  });

  it("a parent's own flag starts acknowledged and is theirs to withdraw", () => {
    expect(actionsFor({ ...base, status: "acknowledged", started_by: "parent" }, 10)).toEqual(["repair", "confirm", "withdraw", "message"]);
  });

  it("closed or held ruptures offer only the follow-up", () => {
    expect(actionsFor({ ...base, status: "reconnected" }, 10)).toEqual(["follow_up"]);
    expect(actionsFor({ ...base, status: "withdrawn" }, 10)).toEqual([]);
    expect(actionsFor({ ...base, status: "safety_review" }, 20)).toEqual([]);
  });

  it("uses my_side when the server sends it (a therapist has none)", () => {
    expect(sideOf({ ...base, my_side: "parent" }, 99)).toBe("parent");
    expect(actionsFor({ ...base, my_side: null }, 10)).toEqual([]);
  });
});

describe("actionsFor with the server's allowed_actions", () => {
  it("follows them, mapping the server's names", () => {
    expect(actionsFor({ ...base, allowed_actions: ["update_steps", "message", "confirm", "not_yet", "dance"] }, 10)).toEqual([
      "repair",
      "confirm",
      "not_yet",
      "message",
    ]);
    expect(actionsFor({ ...base, allowed_actions: [] }, 10)).toEqual([]);
  });
});

describe("readers", () => {
  it("lists may be paginated or bare", () => {
    expect(listOf([1, 2])).toEqual([1, 2]);
    expect(listOf({ count: 1, next: null, previous: null, results: [3] })).toEqual([3]);
    expect(listOf(null)).toEqual([]);
  });

  it("names come from the object or the members list", () => {
    expect(nameOf({ id: 1, display_name: "Ana" })).toBe("Ana");
    expect(nameOf(2, [{ id: 2, display_name: "Ben", role: "child" }])).toBe("Ben");
    expect(nameOf(3)).toBe("Someone");
  });

  it("repair steps come back in order whatever the shape", () => {
    const steps = stepsOf({ repair_steps: { validate: { done: true }, calm: { done: true, reflection: "x" } } });
    expect(steps.map((s) => [s.step, s.done])).toEqual([
      ["calm", true],
      ["acknowledge", false],
      ["responsibility", false],
      ["validate", true],
      ["reconnect", false],
      ["change", false],
    ]);
    expect(stepsOf({ repair_steps: [{ step: "change", done: true }] })[5]?.done).toBe(true);
  });

  it("role comes from the family entry, then the members list, then the age band", () => {
    const me: Me = {
      id: 5,
      email: null,
      display_name: "Kim",
      time_zone: "UTC",
      quiet_hours: null,
      locale: null,
      age_band: "8_12",
      notify_email: true,
      notify_push: false,
      families: [{ id: 1, name: "F", role: "parent" }, { id: 2, name: "G" }],
    };
    expect(myRole(me, 1)).toBe("parent");
    expect(myRole(me, 2, [{ id: 5, display_name: "Kim", role: "child" }])).toBe("child");
    expect(myRole(me, 2)).toBe("child");
    expect(myRole({ ...me, age_band: null }, 2)).toBe("parent");
  });
});

describe("followUpDue", () => {
  const now = new Date("2026-11-22T12:00:00Z");
  it("waits half a day after reconnecting before asking again", () => {
    expect(followUpDue({ status: "reconnected", reconnected_at: "2026-11-22T11:59:00Z" }, now)).toBe(false);
    expect(followUpDue({ status: "reconnected", reconnected_at: "2026-11-21T23:59:00Z" }, now)).toBe(true);
  });
  it("never asks about something still open or without a date", () => {
    expect(followUpDue({ status: "acknowledged", reconnected_at: "2026-11-01T00:00:00Z" }, now)).toBe(false);
    expect(followUpDue({ status: "reconnected", reconnected_at: null }, now)).toBe(false);
  });
});
