/**
 * What /api/v1/ answers, by the names the screens use. Every shape is the server's own, from the
 * committed OpenAPI schema (src/api/schema.json, types generated into src/api/schema.d.ts by
 * `make schema`): nothing here is written by hand, so a field the server does not send cannot
 * be read.
 */

import type { components, operations } from "../api/schema";

type Schemas = components["schemas"];

/** An id as it appears in a route or a URL; the server's ids are numbers. */
export type Id = number | string;

export type Me = Schemas["MeOut"];
export type MeUpdate = Schemas["PatchedMeUpdateInputRequest"];
export type FamilyRef = Schemas["MeFamilyOut"];
export type Family = Schemas["FamilyOut"];
export type FamilyUpdate = Schemas["PatchedFamilyUpdateInputRequest"];
export type Member = Schemas["MemberOut"];
export type Child = Schemas["ChildOut"];
export type Person = Schemas["PersonOut"];
export type AgeBand = Schemas["AgeBandEnum"];
export type Side = Schemas["PartyEnum"];

/** One word of /api/v1/feelings/ (`young`: offered to children under 13, in `label_young`). */
export type FeelingDef = Schemas["FeelingVocabularyOut"];
/** A feeling as a rupture names it, in the server's words. */
export type FeelingRef = Schemas["FeelingOut"];

export type RuptureStatus = Schemas["StatusEnum"];
export type RuptureAction = Schemas["AllowedActionsEnum"];
/** A row of /api/v1/ruptures/: no words, no timeline, no actions. */
export type RuptureRow = Schemas["RuptureRowOut"];
export type Rupture = Schemas["RuptureOut"];
export type FlagBody = Schemas["FlagInRequest"];
export type RepairStep = Schemas["RepairStepOut"];
export type RepairStepCode = Schemas["StepEnum"];
export type StepChange = Schemas["StepChangeInRequest"];
export type TimelineEvent = Schemas["EventOut"];
export type HelpResource = Schemas["HelpLineOut"];
export type HelpResources = Schemas["HelpResourcesOut"];
export type Size = Schemas["SizeEnum"];
export type Need = Schemas["NeedEnum"];
export type RuptureMessage = Schemas["MessageOut"];
/** Who makes it right: the parent (a child's flag, a parent's own) or the child. */
export type Direction = Schemas["DirectionEnum"];
/** The pair's plan on a rupture: each side's part ("" when not said). */
export type Plan = Schemas["PlanOut"];
/** One of "Our plans" (/api/v1/families/{id}/plans/). */
export type PlanRow = Schemas["PlanRowOut"];

export type NotificationItem = Schemas["NotificationOut"];
export type Reflection = Schemas["ReflectionOut"];
export type ReflectionUpdate = Schemas["ReflectionInRequest"];
export type PairingCode = Schemas["PairingCodeOut"];
export type Pairing = Schemas["PairingOut"];
export type Invite = Schemas["InviteOut"];
export type Device = Schemas["DeviceOut"];
export type CareTeamLink = Schemas["CareGrantOut"];
export type CareScope = Schemas["ScopeEnum"];
export type ErrorEnvelope = Schemas["ErrorEnvelope"];

/** DRF's page: every list of ours is paginated except feelings and messages. */
export interface Page<T> {
  count: number;
  next?: string | null;
  previous?: string | null;
  results: T[];
}

export const REPAIR_STEPS: readonly RepairStepCode[] = [
  "calm",
  "acknowledge",
  "responsibility",
  "validate",
  "reconnect",
  "change",
];

// --- the family therapist's side ----------------------------------------------------------------
export type TherapistClaims = Schemas["TherapistClaimsOut"];
export type TherapistClaimsInput = Schemas["TherapistClaimsInputRequest"];
export type Caseload = Schemas["CaseloadOut"];
export type CaseloadFamily = Schemas["CaseloadFamilyOut"];
export type AttentionReason = Schemas["AttentionReasonsEnum"];
/** The figures of a family for a period: a therapist's dashboard, a member's preview, the summary. */
export type Dashboard = Schemas["DashboardOut"];
export type Summary = Schemas["SummaryOut"];
export type Preview = Schemas["PreviewOut"];
export type PeriodFigures = Schemas["PreviousOut"];
export type Duration = Schemas["DurationOut"];
export type PairFigures = Schemas["PairFiguresOut"];
export type Preset = Schemas["PresetEnum"];
export type SafetyReviewRow = Schemas["SafetyReviewRowOut"];
export type SafetyReview = Schemas["SafetyReviewOut"];
export type SafetyOutcome = Schemas["OutcomeEnum"];
export type SafetyReviewClose = Schemas["CloseInRequest"];
export type CaseloadQuery = NonNullable<operations["care_caseload"]["parameters"]["query"]>;
