/**
 * Typed calls to /api/v1/, one function per endpoint, each typed with the schema's own shapes
 * (types.ts); all errors come through errors.ts.
 */

import { request, rawRequest } from "./http";
import { ApiError, parseErrors } from "./errors";
import type {
  CareScope,
  Caseload,
  CaseloadQuery,
  Dashboard,
  Preview,
  SafetyReview,
  SafetyReviewClose,
  SafetyReviewRow,
  Summary,
  CareTeamLink,
  Child,
  Device,
  Family,
  FamilyUpdate,
  FeelingDef,
  Id,
  Invite,
  Me,
  MeUpdate,
  Member,
  NotificationItem,
  Page,
  Pairing,
  PairingCode,
  PlanRow,
  Reflection,
  ReflectionUpdate,
  Rupture,
  RuptureMessage,
  RuptureRow,
  StepChange,
} from "./types";

export const API = "/api/v1";

const enc = (id: Id): string => encodeURIComponent(String(id));

export const api = {
  me: () => request<Me>("GET", `${API}/me/`),
  updateMe: (patch: MeUpdate) =>
    request<Me>("PATCH", `${API}/me/`, { body: patch }),
  exportMe: () => request<unknown>("GET", `${API}/me/export/`),
  reflection: () => request<Reflection>("GET", `${API}/me/reflection/`),
  setReflection: (body: ReflectionUpdate) => request<Reflection>("PUT", `${API}/me/reflection/`, { body }),
  dismissReflection: (key: string) =>
    request<Reflection>("POST", `${API}/me/reflection/dismiss/`, { idempotencyKey: key }),
  deleteMe: () => request<null>("DELETE", `${API}/me/`),

  families: () => request<Page<Family>>("GET", `${API}/families/`),
  createFamily: (name: string) => request<Family>("POST", `${API}/families/`, { body: { name } }),
  family: (id: Id) => request<Family>("GET", `${API}/families/${enc(id)}/`),
  updateFamily: (id: Id, patch: FamilyUpdate) =>
    request<Family>("PATCH", `${API}/families/${enc(id)}/`, { body: patch }),
  members: (id: Id) => request<Page<Member>>("GET", `${API}/families/${enc(id)}/members/`),
  removeMember: (id: Id, userId: Id) =>
    request<null>("DELETE", `${API}/families/${enc(id)}/members/${enc(userId)}/`),
  addChild: (id: Id, body: { display_name: string; birth_year: number }) =>
    request<Child>("POST", `${API}/families/${enc(id)}/children/`, { body }),
  pairingCode: (id: Id, childId: Id) =>
    request<PairingCode>("POST", `${API}/families/${enc(id)}/children/${enc(childId)}/pairing-codes/`),
  devices: (id: Id, childId: Id) =>
    request<Page<Device>>("GET", `${API}/families/${enc(id)}/children/${enc(childId)}/devices/`),
  revokeDevice: (id: Id, childId: Id, deviceId: Id) =>
    request<null>("DELETE", `${API}/families/${enc(id)}/children/${enc(childId)}/devices/${enc(deviceId)}/`),
  invite: (id: Id, role: "parent" | "child") =>
    request<Invite>("POST", `${API}/families/${enc(id)}/invites/`, { body: { role } }),
  acceptInvite: (code: string) => request<Family>("POST", `${API}/invites/${enc(code)}/accept/`),
  careTeam: (id: Id) => request<Page<CareTeamLink>>("GET", `${API}/families/${enc(id)}/care-team/`),
  addCareTeam: (id: Id, body: { share_code: string; scope: CareScope }) =>
    request<CareTeamLink>("POST", `${API}/families/${enc(id)}/care-team/`, { body }),
  removeCareTeam: (id: Id, linkId: Id) =>
    request<null>("DELETE", `${API}/families/${enc(id)}/care-team/${enc(linkId)}/`),

  pair: (code: string) => request<Pairing>("POST", `${API}/pairing/`, { body: { code: code.trim() } }),

  feelings: () => request<FeelingDef[]>("GET", `${API}/feelings/`),

  ruptures: (params: { status?: string; family?: Id; page?: number } = {}) => {
    const q = new URLSearchParams();
    if (params.status) q.set("status", params.status);
    if (params.family !== undefined) q.set("family", String(params.family));
    if (params.page) q.set("page", String(params.page));
    const qs = q.toString();
    return request<Page<RuptureRow>>("GET", `${API}/ruptures/${qs ? `?${qs}` : ""}`);
  },
  rupturesPage: (url: string) => request<Page<RuptureRow>>("GET", url),
  rupture: (id: Id) => request<Rupture>("GET", `${API}/ruptures/${enc(id)}/`),
  acknowledge: (id: Id) => request<Rupture>("POST", `${API}/ruptures/${enc(id)}/acknowledge/`),
  repairSteps: (id: Id, steps: StepChange[]) =>
    request<Rupture>("PATCH", `${API}/ruptures/${enc(id)}/repair-steps/`, { body: { steps } }),
  messages: (id: Id) => request<RuptureMessage[]>("GET", `${API}/ruptures/${enc(id)}/messages/`),
  confirm: (id: Id) => request<Rupture>("POST", `${API}/ruptures/${enc(id)}/confirm/`),
  notYet: (id: Id, reason: string) =>
    request<Rupture>("POST", `${API}/ruptures/${enc(id)}/not-yet/`, { body: reason ? { reason } : {} }),
  withdraw: (id: Id) => request<Rupture>("POST", `${API}/ruptures/${enc(id)}/withdraw/`),
  /** The child's yes to "Would you like {parent} to see this now?" after a safety review. */
  release: (id: Id) => request<Rupture>("POST", `${API}/ruptures/${enc(id)}/release/`),
  /** The child's "not now": it stays held and the question is not asked again. */
  keepHeld: (id: Id) => request<Rupture>("POST", `${API}/ruptures/${enc(id)}/keep-held/`),
  /** "not_really" answers with a new, linked rupture (201); "ok" with this one. `planHelped`
   * answers "Did our plan help?", only when the two made a plan. */
  followUp: (id: Id, answer: "ok" | "not_really", planHelped: boolean | null = null) =>
    request<Rupture>("POST", `${API}/ruptures/${enc(id)}/follow-up/`, {
      body: planHelped === null ? { answer } : { answer, plan_helped: planHelped },
    }),
  /** Say (or change) my part of our plan. */
  plan: (id: Id, words: string) => request<Rupture>("POST", `${API}/ruptures/${enc(id)}/plan/`, { body: { words } }),
  /** "Our plans" in a family, narrowed to one pair by `child` or `parent`. */
  plans: (familyId: Id, pair: { child?: Id; parent?: Id } = {}) => {
    const q = new URLSearchParams();
    if (pair.child !== undefined) q.set("child", String(pair.child));
    if (pair.parent !== undefined) q.set("parent", String(pair.parent));
    const qs = q.toString();
    return request<PlanRow[]>("GET", `${API}/families/${enc(familyId)}/plans/${qs ? `?${qs}` : ""}`);
  },

  notifications: () => request<Page<NotificationItem>>("GET", `${API}/notifications/`),
  readNotification: (id: Id) => request<NotificationItem>("POST", `${API}/notifications/${enc(id)}/read/`),
  readAllNotifications: () => request<{ marked_read: number }>("POST", `${API}/notifications/read-all/`),

  pushPublicKey: () => request<{ public_key: string }>("GET", `${API}/push/public-key/`),
  addPushSubscription: (sub: PushSubscriptionJSON) =>
    request<unknown>("POST", `${API}/push-subscriptions/`, { body: sub }),
  removePushSubscription: (sub: PushSubscriptionJSON) =>
    request<unknown>("DELETE", `${API}/push-subscriptions/`, { body: sub }),
};

/** A period as the care endpoints take it: a preset (30, 90, 365 days or all), and the previous one too. */
export interface PeriodQuery {
  period: "30" | "90" | "365" | "all";
  compare?: boolean;
}

function periodQs(q: PeriodQuery, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams({ period: q.period, ...extra });
  if (q.compare) p.set("compare", "true");
  return p.toString();
}

export const care = {
  caseload: (q: CaseloadQuery = {}) => {
    const p = new URLSearchParams();
    if (q.sort) p.set("sort", q.sort);
    if (q.needs_attention) p.set("needs_attention", "true");
    if (q.unrepaired_days) p.set("unrepaired_days", String(q.unrepaired_days));
    const qs = p.toString();
    return request<Caseload>("GET", `${API}/care/families/${qs ? `?${qs}` : ""}`);
  },
  dashboard: (familyId: Id, q: PeriodQuery) =>
    request<Dashboard>("GET", `${API}/care/families/${enc(familyId)}/dashboard/?${periodQs(q)}`),
  summary: (familyId: Id, q: PeriodQuery) =>
    request<Summary>("GET", `${API}/care/families/${enc(familyId)}/summary/?${periodQs(q)}`),
  /** The CSV (one row per pair per week); the server logs it in the family's access log. */
  exportCsv: async (familyId: Id, q: PeriodQuery): Promise<string> => {
    const resp = await rawRequest("GET", `${API}/care/families/${enc(familyId)}/export/?${periodQs({ period: q.period })}`, {
      headers: { Accept: "text/csv, application/json" },
    });
    if (resp.status !== 200) throw new ApiError(parseErrors(resp.status, resp.body), resp.body);
    return typeof resp.body === "string" ? resp.body : "";
  },
  preview: (familyId: Id, grantId: Id, q: PeriodQuery) =>
    request<Preview>("GET", `${API}/families/${enc(familyId)}/care-team/${enc(grantId)}/preview/?${periodQs(q)}`),
  safetyReviews: () => request<Page<SafetyReviewRow>>("GET", `${API}/care/safety-reviews/`),
  safetyReview: (ruptureId: Id) => request<SafetyReview>("GET", `${API}/care/safety-reviews/${enc(ruptureId)}/`),
  closeSafetyReview: (ruptureId: Id, body: SafetyReviewClose) =>
    request<SafetyReview>("POST", `${API}/care/safety-reviews/${enc(ruptureId)}/close/`, { body }),
};

export const urls = {
  ruptures: `${API}/ruptures/`,
  messages: (id: Id) => `${API}/ruptures/${enc(id)}/messages/`,
};
