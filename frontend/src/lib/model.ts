/** Small pure readers over API objects whose nesting the server may choose (id or object). */

import type { Id, Me, Member, Page, PersonRef, RepairStep, Rupture } from "./types";
import { REPAIR_STEPS } from "./types";

export function idOf(ref: PersonRef | { id: Id } | null | undefined): string | null {
  if (ref === null || ref === undefined) return null;
  if (typeof ref === "object") return String(ref.id);
  return String(ref);
}

export function sameId(a: unknown, b: unknown): boolean {
  const x = idOf(a as PersonRef | null);
  const y = idOf(b as PersonRef | null);
  return x !== null && x === y;
}

/** A name for a person ref, looked up in the family's members when the ref is a bare id. */
export function nameOf(ref: PersonRef | null | undefined, members: readonly Member[] = []): string {
  if (ref && typeof ref === "object" && ref.display_name) return ref.display_name;
  const id = idOf(ref);
  const m = members.find((x) => String(x.id) === id);
  return m?.display_name ?? "Someone";
}

/** Lists may come bare or paginated ({count,next,previous,results}). */
export function listOf<T>(data: T[] | Page<T> | null | undefined): T[] {
  if (!data) return [];
  if (Array.isArray(data)) return data;
  return Array.isArray(data.results) ? data.results : [];
}

export function familyIdOf(r: Pick<Rupture, "family">): string {
  return String(typeof r.family === "object" ? r.family.id : r.family);
}

export function roleIn(me: Me | null, familyId: Id | null | undefined): string | null {
  if (!me || familyId === null || familyId === undefined) return null;
  const f = me.families.find((x) => String(x.id) === String(familyId));
  return f?.role ? String(f.role) : null;
}

/** The family this person uses day to day: the first one, as the brief's families list orders. */
export function primaryFamily(me: Me | null): Me["families"][number] | null {
  return me?.families[0] ?? null;
}

export function stepsOf(r: Pick<Rupture, "repair_steps">): RepairStep[] {
  const raw = r.repair_steps;
  const found: Record<string, RepairStep> = {};
  if (Array.isArray(raw)) {
    for (const s of raw) found[String(s.step)] = s;
  } else if (raw && typeof raw === "object") {
    for (const [k, v] of Object.entries(raw)) found[k] = { step: k, ...v };
  }
  return REPAIR_STEPS.map((code) => found[code] ?? { step: code, done: false, reflection: null });
}

/**
 * Open for the two people in it. A flag in safety review is not: nothing moves in it but the
 * safety reviewer, and the child sees it only as a neutral card (Safety.tsx).
 */
export const OPEN_STATUSES = new Set(["flagged", "acknowledged", "awaiting_confirmation"]);

export function isOpen(status: string): boolean {
  return OPEN_STATUSES.has(status);
}

export type RuptureAction =
  | "acknowledge"
  | "repair"
  | "confirm"
  | "not_yet"
  | "withdraw"
  | "message"
  | "follow_up";

const KNOWN_ACTIONS: readonly RuptureAction[] = [
  "acknowledge",
  "repair",
  "confirm",
  "not_yet",
  "withdraw",
  "message",
  "follow_up",
];

/** The server's action names (ruptures/states.py) to the screen's. */
const ACTION_ALIASES: Record<string, RuptureAction> = {
  update_steps: "repair",
  repair_steps: "repair",
  "not-yet": "not_yet",
  "follow-up": "follow_up",
};

export type Side = "child" | "parent";

/** The reader's side: the server's `my_side`, else worked out from the ids. */
export function sideOf(r: Rupture, meId: Id | null | undefined): Side | null {
  if (r.my_side === "child" || r.my_side === "parent") return r.my_side;
  if (r.my_side === null) return null;
  const me = meId === null || meId === undefined ? null : String(meId);
  if (me !== null && idOf(r.child) === me) return "child";
  if (me !== null && idOf(r.parent) === me) return "parent";
  return null;
}

/** Which side started it: the server says "child" or "parent"; a person ref is also understood. */
export function starterSide(r: Rupture): Side | null {
  const s = r.started_by;
  if (s === "child" || s === "parent") return s;
  const id = idOf(s as PersonRef | null | undefined);
  if (id !== null && id === idOf(r.child)) return "child";
  if (id !== null && id === idOf(r.parent)) return "parent";
  return null;
}

/** Whether this side has already said "we're OK" (confirmations: {child, parent} timestamps). */
export function hasConfirmed(r: Rupture, side: Side | null): boolean {
  const c = r.confirmations;
  if (!side || !c || Array.isArray(c)) return false;
  return Boolean((c as Record<string, unknown>)[side]);
}

/**
 * What the viewer may do now. When the server sends `allowed_actions` the UI follows it
 * (the server is the authority); otherwise the rules of the state machine are mirrored here.
 */
export function actionsFor(r: Rupture, meId: Id | null | undefined): RuptureAction[] {
  if (Array.isArray(r.allowed_actions)) {
    const mapped = r.allowed_actions.map((a) => ACTION_ALIASES[a] ?? a);
    return KNOWN_ACTIONS.filter((a) => mapped.includes(a));
  }
  // Mirrors ruptures/states.py for a server that does not send allowed_actions.
  const side = sideOf(r, meId);
  if (!side) return [];
  const started = starterSide(r) === side;
  const inRepair = r.status === "acknowledged" || r.status === "awaiting_confirmation";
  const open = r.status === "flagged" || inRepair;
  const out: RuptureAction[] = [];
  if (side === "parent" && r.status === "flagged") out.push("acknowledge");
  if (side === "parent" && inRepair) out.push("repair");
  if (inRepair && !hasConfirmed(r, side)) out.push("confirm");
  if (side === "child" && inRepair) out.push("not_yet");
  if (started && open) out.push("withdraw");
  if (open) out.push("message");
  if (r.status === "reconnected") out.push("follow_up");
  return out;
}

/** Asking "are you two still OK?" right after making up sounds like doubt: wait half a day. */
export const FOLLOW_UP_AFTER_MS = 12 * 60 * 60 * 1000;

export function followUpDue(r: Pick<Rupture, "status" | "reconnected_at">, now: Date): boolean {
  if (r.status !== "reconnected" || !r.reconnected_at) return false;
  const at = new Date(r.reconnected_at).getTime();
  return !Number.isNaN(at) && now.getTime() - at >= FOLLOW_UP_AFTER_MS;
}

export function statusLabel(status: string): string {
  switch (status) {
    case "flagged":
      return "Waiting to be heard";
    case "acknowledged":
      return "Being repaired";
    case "awaiting_confirmation":
      return "Checking in: are we OK?";
    case "reconnected":
      return "Reconnected";
    case "withdrawn":
      return "Let go";
    case "safety_review":
      return "Getting extra help";
    default:
      return status;
  }
}

/**
 * The viewer's role in a family: the family entry's `role` when the server sends it, else the
 * viewer's row in the members list, else a guess from the age band (children have one).
 */
export function myRole(me: Me | null, familyId: Id | null | undefined, members: readonly Member[] = []): string {
  const fromFamily = roleIn(me, familyId);
  if (fromFamily) return fromFamily;
  const row = me ? members.find((m) => String(m.id) === String(me.id)) : undefined;
  if (row?.role) return String(row.role);
  const band = (me?.age_band ?? "").toLowerCase();
  return band && !band.includes("adult") && !band.includes("18") ? "child" : "parent";
}

export function parentsOf(members: readonly Member[], meId?: Id | null): Member[] {
  return members.filter((m) => m.role === "parent" && String(m.id) !== String(meId ?? ""));
}

export function childrenOf(members: readonly Member[], meId?: Id | null): Member[] {
  return members.filter((m) => m.role === "child" && String(m.id) !== String(meId ?? ""));
}
