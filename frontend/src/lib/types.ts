/**
 * Shapes of what /api/v1/ answers, as the PWA reads them. Fields the brief fixes are typed as
 * given; fields it leaves open are optional and read through the helpers in model.ts, so a
 * missing or differently nested field degrades the screen instead of breaking it.
 */

export type Id = number | string;

/** A person as embedded in other objects: either a bare id or an object with at least an id. */
export type PersonRef = Id | { id: Id; display_name?: string | null; email?: string | null };

export type Role = "parent" | "child" | "therapist";

export interface FamilyRef {
  id: Id;
  name: string;
  role?: Role | string;
}

export interface QuietHours {
  start: string | null;
  end: string | null;
}

export interface Me {
  id: Id;
  email: string | null;
  display_name: string;
  time_zone: string;
  quiet_hours: QuietHours | null;
  locale: string | null;
  age_band: string | null;
  notify_email: boolean;
  notify_push: boolean;
  families: FamilyRef[];
}

export interface Family {
  id: Id;
  name: string;
  calm_down_minutes: number;
  role?: Role | string;
}

export interface Member {
  id: Id;
  display_name: string;
  role: Role | string;
  email?: string | null;
  age_band?: string | null;
  birth_year?: number | null;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/**
 * One word of /api/v1/feelings/. The server sends `{code, emoji, label, label_young, young}`
 * (`young`: offered to children under 13, in `label_young` words); `labels` by band and
 * `age_bands` are also understood, so the vocabulary can grow finer without a new client.
 */
export interface FeelingDef {
  code: string;
  emoji?: string;
  label?: string;
  label_young?: string;
  young?: boolean;
  labels?: Record<string, string>;
  age_bands?: string[];
}

/** A feeling as embedded in a rupture: the server describes codes as `{code, label, emoji}`. */
export type FeelingRef = string | { code: string; label?: string; emoji?: string };

export type RuptureStatus =
  | "flagged"
  | "acknowledged"
  | "awaiting_confirmation"
  | "reconnected"
  | "withdrawn"
  | "safety_review";

export type Size = "small" | "medium" | "big";
export type Need = "comfort" | "space" | "talk" | "try_again";

export const REPAIR_STEPS = [
  "calm",
  "acknowledge",
  "responsibility",
  "validate",
  "reconnect",
  "change",
] as const;
export type RepairStepCode = (typeof REPAIR_STEPS)[number];

export interface RepairStep {
  step: RepairStepCode | string;
  title?: string;
  guidance?: string;
  done: boolean;
  reflection?: string | null;
  done_at?: string | null;
}

export interface TimelineEvent {
  id?: Id;
  kind?: string;
  from_status?: string;
  to_status?: string;
  event?: string;
  status?: string;
  at?: string;
  created_at?: string;
  actor?: PersonRef | null;
  text?: string | null;
  description?: string | null;
}

/** One help line: the server sends `{kind: text|chat|call, name, how, value}`. */
export interface HelpResource {
  name: string;
  kind: string;
  how?: string | null;
  value?: string | null;
  contact?: string | null;
  url?: string | null;
  description?: string | null;
  hours?: string | null;
}

export interface HelpResources {
  region?: string;
  emergency?: string;
  lines: HelpResource[];
}

export interface Rupture {
  id: Id;
  family: Id | FamilyRef;
  status: RuptureStatus;
  parent?: PersonRef | null;
  child?: PersonRef | null;
  /** "child" | "parent" (which side started it); a person ref is also understood. */
  started_by?: PersonRef | "child" | "parent" | null;
  /** The reader's side: "child", "parent", or null for a therapist. */
  my_side?: "child" | "parent" | null;
  feelings?: FeelingRef[];
  intensity?: number | null;
  size?: Size | null;
  need?: Need | null;
  note?: string | null;
  occurred_at?: string | null;
  needs_space_until?: string | null;
  unsafe?: boolean;
  created_at?: string;
  updated_at?: string;
  timeline?: TimelineEvent[];
  repair_steps?: RepairStep[] | Record<string, Omit<RepairStep, "step">>;
  confirmations?: { child?: string | null; parent?: string | null } | unknown[];
  follow_up_of?: Id | null;
  reconnected_at?: string | null;
  allowed_actions?: string[];
  help_resources?: HelpResources | HelpResource[] | null;
}

export interface RuptureMessage {
  id: Id;
  mine?: boolean;
  author?: PersonRef | null;
  body: string;
  created_at?: string;
}

export interface NotificationItem {
  id: Id;
  kind: string;
  rupture: Id | null;
  title: string;
  body: string;
  url?: string;
  created_at: string;
  read_at: string | null;
}

export interface PairingCode {
  code: string;
  expires_at: string;
  /** The `#/pair/{code}` link; built on the client when absent. */
  url?: string;
}

export interface Invite {
  code: string;
  url: string;
  expires_at: string;
}

export interface Device {
  id: Id;
  name?: string | null;
  user_agent?: string | null;
  created_at?: string | null;
  last_seen_at?: string | null;
}

export interface CareTeamLink {
  id: Id;
  therapist?: { id: Id; display_name: string } | null;
  share_code?: string;
  scope: "metrics" | "details" | string;
  display_name?: string | null;
  name?: string | null;
  created_at?: string | null;
}
