import { describe, expect, it } from "vitest";
import { followUpDue, hasConfirmed, hasPlan, isOpen, myRole, otherName, repairerSide } from "./model";
import { planQuestion, wordingFor } from "./repairSteps";
import type { Me } from "./types";

describe("readers", () => {
  it("a flag in safety review is not open: nothing moves in it but the safety reviewer", () => {
    expect(isOpen("flagged")).toBe(true);
    expect(isOpen("awaiting_confirmation")).toBe(true);
    expect(isOpen("safety_review")).toBe(false);
    expect(isOpen("reconnected")).toBe(false);
  });

  it("the role is the server's, per family", () => {
    const me = { id: 5, families: [{ id: 1, name: "F", role: "parent" }, { id: 2, name: "G", role: "child" }] } as Me;
    expect(myRole(me, 1)).toBe("parent");
    expect(myRole(me, "2")).toBe("child");
    expect(myRole(me, 3)).toBeNull();
    expect(myRole(null, 1)).toBeNull();
  });

  it("names the other person for each side, both for a therapist", () => {
    const r = { parent: { id: 10, display_name: "Mum" }, child: { id: 20, display_name: "Ada" } };
    expect(otherName(r, "child")).toBe("Mum");
    expect(otherName(r, "parent")).toBe("Ada");
    expect(otherName(r, null)).toBe("Mum and Ada");
  });

  it("a side has confirmed when its timestamp is set", () => {
    const confirmations = { child: null, parent: "2026-11-22T10:00:00Z" };
    expect(hasConfirmed({ confirmations }, "parent")).toBe(true);
    expect(hasConfirmed({ confirmations }, "child")).toBe(false);
    expect(hasConfirmed({ confirmations }, null)).toBe(false);
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

describe("both directions and the plan", () => {
  it("the one making it right is the rupture's direction, as the server says it", () => {
    expect(repairerSide({ direction: "parent_repairs" })).toBe("parent");
    expect(repairerSide({ direction: "child_repairs" })).toBe("child");
  });
  it("a plan exists once either side has said their part", () => {
    expect(hasPlan(null)).toBe(false);
    expect(hasPlan({ parent: "", child: "", updated_at: null })).toBe(false);
    expect(hasPlan({ parent: "", child: "A hug.", updated_at: "2026-11-22T10:00:00Z" })).toBe(true);
  });
  it("asks a child in words for their age band", () => {
    expect(wordingFor("under_13")).toBe("young");
    expect(wordingFor("13_17")).toBe("teen");
    expect(wordingFor("unknown")).toBe("teen");
    expect(wordingFor("adult")).toBe("adult");
    expect(planQuestion("young", "Ada")).toContain("Ada");
    expect(planQuestion("parent", "Mia")).toBe("What would help next time?");
  });
});
