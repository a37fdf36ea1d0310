/**
 * Small pure readers over the server's shapes (types.ts). The server decides: which actions the
 * reader may take (`allowed_actions`), which side they are on (`my_side`), their role in each
 * family (`me.families[].role`); nothing here works any of that out again.
 */

import type { FamilyRef, Id, Me, Member, Plan, Rupture, RuptureAction, RuptureRow, RuptureStatus, Side } from "./types";
import { t } from "./i18n";

/** The family this person uses day to day: the first one, as `me.families` orders them. */
export function primaryFamily(me: Me | null): FamilyRef | null {
  return me?.families[0] ?? null;
}

/** The reader's role in a family, as the server sends it; null when they are not a member. */
export function myRole(me: Me | null, familyId: Id | null | undefined): FamilyRef["role"] | null {
  if (!me || familyId === null || familyId === undefined) return null;
  return me.families.find((f) => String(f.id) === String(familyId))?.role ?? null;
}

/**
 * Open for the two people in it. A flag in safety review is not: nothing moves in it but the
 * safety reviewer, and the child sees it only as a neutral card (Safety.tsx).
 */
const OPEN: ReadonlySet<RuptureStatus> = new Set<RuptureStatus>(["flagged", "acknowledged", "awaiting_confirmation"]);

export function isOpen(status: RuptureStatus): boolean {
  return OPEN.has(status);
}

/** Whether the server lists `action` among what the reader may do now. */
export function can(r: Pick<Rupture, "allowed_actions">, action: RuptureAction): boolean {
  return r.allowed_actions.includes(action);
}

/** Whether this side has already said "we're OK". */
export function hasConfirmed(r: Pick<Rupture, "confirmations">, side: Side | null): boolean {
  return side !== null && r.confirmations[side] !== null;
}

/** The other person in it, by name, for the reader (both names for a therapist). */
export function otherName(r: Pick<RuptureRow, "child" | "parent">, side: Side | null | undefined): string {
  if (side === "child") return r.parent.display_name;
  if (side === "parent") return r.child.display_name;
  return `${r.parent.display_name} and ${r.child.display_name}`;
}

/** The side making it right, as the rupture's `direction` says. */
export function repairerSide(r: Pick<RuptureRow, "direction">): Side {
  return r.direction === "child_repairs" ? "child" : "parent";
}

/** Whether either of the two has said their part of the plan. */
export function hasPlan(plan: Plan | null | undefined): boolean {
  return !!plan && (plan.parent !== "" || plan.child !== "");
}

/** Asking "are you two still OK?" right after making up sounds like doubt: wait half a day. */
export const FOLLOW_UP_AFTER_MS = 12 * 60 * 60 * 1000;

export function followUpDue(r: Pick<Rupture, "status" | "reconnected_at">, now: Date): boolean {
  if (r.status !== "reconnected" || !r.reconnected_at) return false;
  const at = new Date(r.reconnected_at).getTime();
  return !Number.isNaN(at) && now.getTime() - at >= FOLLOW_UP_AFTER_MS;
}

export function statusLabel(status: RuptureStatus): string {
  switch (status) {
    case "flagged":
      return t("status.flagged");
    case "acknowledged":
      return t("status.acknowledged");
    case "awaiting_confirmation":
      return t("status.awaiting_confirmation");
    case "reconnected":
      return t("status.reconnected");
    case "withdrawn":
      return t("status.withdrawn");
    case "safety_review":
      return t("status.safety_review");
  }
}

export function parentsOf(members: readonly Member[], meId?: Id | null): Member[] {
  return members.filter((m) => m.role === "parent" && String(m.id) !== String(meId ?? ""));
}

export function childrenOf(members: readonly Member[], meId?: Id | null): Member[] {
  return members.filter((m) => m.role === "child" && String(m.id) !== String(meId ?? ""));
}

/**
 * Where a therapist stands before any family's figures can be shown, in the order the server
 * checks: their claims (profession, registration…), staff's verification, two-step sign-in.
 */
export function therapistStep(me: Me): "claims" | "waiting" | "mfa" | "ready" {
  if (!me.therapist_claims?.complete) return "claims";
  if (!me.therapist_verified) return "waiting";
  if (!me.mfa_enabled) return "mfa";
  return "ready";
}
