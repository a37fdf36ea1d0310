// A zero-dependency stand-in for the Django back end, for front-end work and screenshots:
// serves dist/ with the production CSP and answers the allauth headless and /api/v1/ contracts
// the PWA relies on (shapes as documented in frontend/README.md). In memory; restart to reset.
//
//   npm run build && npm run mock            # http://127.0.0.1:8010
//   PORT=9000 node scripts/mock-api.mjs
//
// Accounts: parent@example.com / correct-horse (parent Sam), alex@example.com / correct-horse
// (parent Alex), leo@example.com / correct-horse (teen Leo). Pairing code MIA123 signs a device
// in as Mia (under 8). Email verification and password reset codes are always 123456.

import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const PORT = Number(process.env.PORT ?? 8010);
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

const now = () => new Date().toISOString();
const ago = (min) => new Date(Date.now() - min * 60_000).toISOString();

const users = {
  1: { id: 1, email: "parent@example.com", password: "correct-horse", display_name: "Sam", age_band: null, role: "parent" },
  2: { id: 2, email: "alex@example.com", password: "correct-horse", display_name: "Alex", age_band: null, role: "parent" },
  3: { id: 3, email: null, password: null, display_name: "Mia", age_band: "under_13", role: "child" },
  4: { id: 4, email: "leo@example.com", password: "correct-horse", display_name: "Leo", age_band: "13_17", role: "child" },
};
const prefs = {};
const family = { id: 1, name: "The Rivera family", calm_down_minutes: 10 };
const memberIds = [1, 2, 3, 4];
// As ruptures/feelings.py: `young` words are offered to children under 13, in `label_young`.
const FEELINGS = [
  ["hurt", "🤕", "Hurt", "Hurt", true],
  ["sad", "😢", "Sad", "Sad", true],
  ["angry", "😠", "Mad", "Angry", true],
  ["scared", "😨", "Scared", "Scared", true],
  ["embarrassed", "😳", "Embarrassed", "Embarrassed", true],
  ["ignored", "🙈", "Not listened to", "Ignored", true],
  ["confused", "😕", "Mixed up", "Confused", true],
  ["lonely", "🥺", "Lonely", "Lonely", true],
  ["frustrated", "😤", "Grr", "Frustrated", true],
  ["worried", "😟", "Worried", "Worried", false],
  ["disappointed", "😞", "Let down", "Disappointed", false],
  ["unfair", "⚖️", "Not fair", "Treated unfairly", false],
].map(([code, emoji, label_young, label, young]) => ({ code, emoji, label_young, label, young }));
const describe = (codes) => codes.map((c) => {
  const f = FEELINGS.find((x) => x.code === c);
  return f ? { code: c, label: f.label, emoji: f.emoji } : { code: c, label: c, emoji: "" };
});
const STEPS = ["calm", "acknowledge", "responsibility", "validate", "reconnect", "change"];
const STEP_TITLES = {
  calm: "Calm yourself first",
  acknowledge: "Acknowledge what happened",
  responsibility: "Take responsibility, without excuses",
  validate: "Validate their feelings",
  reconnect: "Reassure and reconnect",
  change: "Say what you will do differently",
};
const HELP = {
  region: "United Kingdom",
  emergency: "If you are in danger right now, call 999.",
  lines: [
    { kind: "chat", name: "Childline", how: "1-2-1 chat at childline.org.uk", value: "childline.org.uk" },
    { kind: "text", name: "Shout", how: "Text SHOUT to 85258", value: "85258" },
    { kind: "call", name: "Childline", how: "Call 0800 1111 (free)", value: "08001111" },
  ],
};

let nextId = 100;
const ruptures = [
  {
    id: 7, family: 1, status: "flagged", parent: { id: 1, display_name: "Sam" }, child: { id: 4, display_name: "Leo" },
    started_by: "child", feelings: ["embarrassed", "angry"], intensity: 4, size: "medium", need: "space",
    note: "You shouted at me in front of my friends.", occurred_at: ago(90), needs_space_until: new Date(Date.now() + 20 * 60_000).toISOString(),
    unsafe: false, created_at: ago(85), timeline: [{ id: 1, kind: "flagged", actor: { id: 4, display_name: "Leo" }, created_at: ago(85) }],
    repair_steps: STEPS.map((s) => ({ step: s, done: false, reflection: "" })), confirmations: { child: null, parent: null },
  },
  {
    id: 5, family: 1, status: "reconnected", parent: { id: 1, display_name: "Sam" }, child: { id: 3, display_name: "Mia" },
    started_by: "parent", feelings: ["sad"], intensity: 3, size: "small", need: "comfort", note: null,
    occurred_at: ago(3000), needs_space_until: null, unsafe: false, created_at: ago(3000),
    timeline: [{ id: 2, kind: "flagged", actor: { id: 1, display_name: "Sam" }, created_at: ago(3000) }, { id: 3, kind: "reconnected", actor: null, created_at: ago(2900) }],
    repair_steps: STEPS.map((s) => ({ step: s, done: true, reflection: "" })), confirmations: { child: ago(2900), parent: ago(2950) },
  },
];
const messages = { 7: [{ id: 1, rupture: 7, author: { id: 4, display_name: "Leo" }, body: "I just need a bit of time.", created_at: ago(80) }] };
const notifications = [
  { id: 1, kind: "flagged", rupture: 7, title: "Leo flagged something", body: "Leo feels embarrassed and angry.", url: "/#/ruptures/7", created_at: ago(85), read_at: null },
];
const sessions = new Map(); // sid -> { userId | null, pending: "verify_email" | "password_reset_by_code" | null, email }
const idempotency = new Map();
const careTeam = [{ id: 1, therapist: { id: 9, display_name: "Dr Kim (family therapist)" }, scope: "metrics", granted_at: ago(9000) }];
const devices = { 3: [{ id: 1, user_agent: "Mia's iPad (Safari)", ip: "127.0.0.1", created_at: ago(6000), last_seen_at: ago(60) }] };
const page = (results) => ({ count: results.length, next: null, previous: null, results });

function cookies(req) {
  return Object.fromEntries((req.headers.cookie ?? "").split(";").map((c) => c.trim().split("=")).filter((p) => p[0]));
}

function send(res, status, body, headers = {}) {
  const json = body === null ? "" : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
  res.end(json);
}

const err = (res, status, code, message, param = null) => send(res, status, { status, errors: [{ code, message, param }] });

function me(user) {
  const p = prefs[user.id] ?? {};
  return {
    id: user.id, email: user.email, display_name: user.display_name, time_zone: p.time_zone ?? "Europe/London",
    quiet_hours: p.quiet_hours ?? { start: "21:00", end: "07:00" }, locale: "en", age_band: user.age_band,
    notify_email: p.notify_email ?? true, notify_push: p.notify_push ?? false,
    families: [{ id: family.id, name: family.name, role: user.role }],
  };
}

const member = (u) => ({ id: u.id, display_name: u.display_name, role: u.role, email: u.email, age_band: u.age_band });

function authBody(session) {
  if (session.userId) {
    const u = users[session.userId];
    return [200, { status: 200, data: { user: { id: u.id, email: u.email, display: u.display_name }, methods: [] }, meta: { is_authenticated: true } }];
  }
  const flows = [{ id: "login" }, { id: "signup" }];
  if (session.pending) flows.push({ id: session.pending, is_pending: true });
  return [401, { status: 401, data: { flows }, meta: { is_authenticated: false } }];
}

function visible(r, uid) {
  return [r.parent.id, r.child.id].includes(uid);
}

const sideOf = (r, uid) => (r.child.id === uid ? "child" : r.parent.id === uid ? "parent" : null);

/** As ruptures/states.py: what this side may do now. */
function allowed(r, side) {
  if (!side) return [];
  const inRepair = ["acknowledged", "awaiting_confirmation"].includes(r.status);
  const open = r.status === "flagged" || inRepair;
  const out = [];
  if (side === "parent" && r.status === "flagged") out.push("acknowledge");
  if (side === "parent" && inRepair) out.push("update_steps");
  if (open) out.push("message");
  if (inRepair && !r.confirmations[side]) out.push("confirm");
  if (side === "child" && inRepair) out.push("not_yet");
  if (open && r.started_by === side) out.push("withdraw");
  if (r.status === "reconnected") out.push("follow_up");
  return out;
}

/** The rupture as its reader may see it (RuptureOut). */
function view(r, uid) {
  const side = sideOf(r, uid);
  return {
    ...r,
    feelings: describe(r.feelings),
    unsafe: r.unsafe && side !== "parent",
    my_side: side,
    allowed_actions: allowed(r, side),
    repair_steps: r.repair_steps.map((st) => ({
      ...st,
      title: STEP_TITLES[st.step],
      guidance: `Guidance for ${STEP_TITLES[st.step].toLowerCase()}, naming ${r.child.display_name}.`,
      reflection: side === "parent" ? st.reflection : null,
    })),
    help_resources: r.unsafe && side === "child" ? HELP : null,
  };
}

const row = (r) => {
  const { note, timeline, repair_steps, confirmations, help_resources, ...rest } = r;
  return { ...rest, feelings: describe(r.feelings) };
};

async function readJson(req) {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  try {
    return raw ? JSON.parse(raw) : {};
  } catch {
    return {};
  }
}

async function api(req, res, url, session, csrf) {
  const method = req.method ?? "GET";
  const path = url.pathname;
  const unsafe = !["GET", "HEAD", "OPTIONS"].includes(method);
  if (unsafe && req.headers["x-csrftoken"] !== csrf) {
    res.writeHead(403, { "Content-Type": "text/html" });
    res.end("<h1>Forbidden (403)</h1><p>CSRF verification failed. Request aborted.</p>");
    return;
  }
  const body = unsafe ? await readJson(req) : {};
  const A = "/_allauth/browser/v1";

  // --- allauth headless -------------------------------------------------------------------
  if (path === `${A}/config`) return send(res, 200, { status: 200, data: { account: { login_methods: ["email"], is_open_for_signup: true, email_verification_by_code_enabled: true, login_by_code_enabled: false, password_reset_by_code_enabled: true } } });
  if (path === `${A}/auth/session` && method === "GET") return send(res, ...authBody(session));
  if (path === `${A}/auth/session` && method === "DELETE") {
    session.userId = null;
    return send(res, 401, { status: 401, data: { flows: [{ id: "login" }] }, meta: { is_authenticated: false } });
  }
  if (path === `${A}/auth/login` && method === "POST") {
    const u = Object.values(users).find((x) => x.email && x.email === String(body.email ?? "").toLowerCase());
    if (!u || u.password !== body.password) return err(res, 400, "email_password_mismatch", "The email address and/or password you specified are not correct.", "password");
    session.userId = u.id;
    return send(res, ...authBody(session));
  }
  if (path === `${A}/auth/signup` && method === "POST") {
    if (!String(body.email ?? "").includes("@")) return err(res, 400, "invalid", "Enter a valid email address.", "email");
    if (String(body.password ?? "").length < 8) return err(res, 400, "password_too_short", "This password is too short. It must contain at least 8 characters.", "password");
    const id = nextId++;
    users[id] = { id, email: body.email, password: body.password, display_name: "", age_band: null, role: "parent", noFamily: true };
    session.pending = "verify_email";
    session.pendingUser = id;
    return send(res, ...authBody(session));
  }
  if (path === `${A}/auth/email/verify` && method === "POST") {
    if (session.pending !== "verify_email") return send(res, 409, { status: 409 });
    if (String(body.key).trim() !== "123456") return err(res, 400, "invalid", "Invalid or expired key.", "key");
    session.pending = null;
    session.userId = session.pendingUser;
    return send(res, ...authBody(session));
  }
  if (path === `${A}/auth/email/verify/resend` && method === "POST") return send(res, 200, { status: 200 });
  if (path === `${A}/auth/password/request` && method === "POST") {
    session.pending = "password_reset_by_code";
    session.resetEmail = body.email;
    return send(res, ...authBody(session));
  }
  if (path === `${A}/auth/password/reset` && method === "POST") {
    if (session.pending !== "password_reset_by_code") return send(res, 409, { status: 409 });
    if (String(body.key).trim() !== "123456") return err(res, 400, "invalid", "Invalid or expired code.", "key");
    session.pending = null;
    return send(res, 401, { status: 401, data: { flows: [{ id: "login" }] }, meta: { is_authenticated: false } });
  }

  // --- /api/v1/ ------------------------------------------------------------------------------
  if (path === "/api/v1/pairing/" && method === "POST") {
    if (String(body.code ?? "").trim().toUpperCase() !== "MIA123") return err(res, 400, "invalid_code", "That code did not work. Ask your parent for a new one.", "code");
    session.userId = 3;
    return send(res, 200, { user: me(users[3]) });
  }
  if (!session.userId) return err(res, 401, "not_authenticated", "Please log in.");
  const user = users[session.userId];
  const uid = user.id;
  let m;

  if (path === "/api/v1/me/" && method === "GET") return send(res, 200, user.noFamily ? { ...me(user), families: [] } : me(user));
  if (path === "/api/v1/me/" && method === "PATCH") {
    if (body.display_name !== undefined) user.display_name = body.display_name;
    prefs[uid] = { ...prefs[uid], ...body };
    return send(res, 200, me(user));
  }
  if (path === "/api/v1/me/export/") return send(res, 200, { me: me(user), ruptures: ruptures.filter((r) => visible(r, uid)) });
  if (path === "/api/v1/me/" && method === "DELETE") {
    session.userId = null;
    return send(res, 204, null);
  }
  if (path === "/api/v1/feelings/") return send(res, 200, FEELINGS);
  if (path === "/api/v1/families/" && method === "GET") return send(res, 200, { count: 1, next: null, previous: null, results: [family] });
  if (path === "/api/v1/families/" && method === "POST") {
    if (!String(body.name ?? "").trim()) return err(res, 400, "required", "Please give your family a name.", "name");
    user.noFamily = false;
    family.name = body.name;
    return send(res, 201, family);
  }
  if ((m = path.match(/^\/api\/v1\/families\/(\d+)\/$/))) {
    if (method === "PATCH") Object.assign(family, body);
    return send(res, 200, family);
  }
  if ((m = path.match(/^\/api\/v1\/families\/(\d+)\/members\/$/))) return send(res, 200, page(memberIds.map((i) => member(users[i]))));
  if ((m = path.match(/^\/api\/v1\/families\/(\d+)\/members\/(\d+)\/$/)) && method === "DELETE") {
    const i = memberIds.indexOf(Number(m[2]));
    if (i >= 0) memberIds.splice(i, 1);
    return send(res, 204, null);
  }
  if ((m = path.match(/^\/api\/v1\/families\/(\d+)\/children\/$/)) && method === "POST") {
    if (!String(body.display_name ?? "").trim()) return err(res, 400, "required", "Please add a name.", "display_name");
    const id = nextId++;
    users[id] = { id, email: null, password: null, display_name: body.display_name, age_band: new Date().getFullYear() - Number(body.birth_year) < 13 ? "under_13" : "13_17", role: "child" };
    memberIds.push(id);
    return send(res, 201, member(users[id]));
  }
  if ((m = path.match(/^\/api\/v1\/families\/(\d+)\/children\/(\d+)\/pairing-codes\/$/))) return send(res, 201, { code: "MIA123", expires_at: new Date(Date.now() + 15 * 60_000).toISOString(), child: member(users[m[2]]), url: `http://${req.headers.host}/#/pair/MIA123` });
  if ((m = path.match(/^\/api\/v1\/families\/(\d+)\/children\/(\d+)\/devices\/$/))) return send(res, 200, page(devices[m[2]] ?? []));
  if ((m = path.match(/^\/api\/v1\/families\/(\d+)\/children\/(\d+)\/devices\/(\d+)\/$/)) && method === "DELETE") {
    devices[m[2]] = (devices[m[2]] ?? []).filter((d) => String(d.id) !== m[3]);
    return send(res, 204, null);
  }
  if ((m = path.match(/^\/api\/v1\/families\/(\d+)\/invites\/$/)) && method === "POST") {
    const code = "JOIN-" + Math.random().toString(36).slice(2, 8).toUpperCase();
    return send(res, 201, { code, url: `http://${req.headers.host}/#/invite/${code}`, expires_at: new Date(Date.now() + 7 * 86400_000).toISOString() });
  }
  if ((m = path.match(/^\/api\/v1\/invites\/([^/]+)\/accept\/$/)) && method === "POST") {
    user.noFamily = false;
    return send(res, 201, { ...family, role: "parent" });
  }
  if ((m = path.match(/^\/api\/v1\/families\/(\d+)\/care-team\/$/))) {
    if (method === "POST") {
      if (!String(body.share_code ?? "").trim()) return err(res, 400, "required", "Enter the share code.", "share_code");
      const link = { id: nextId++, therapist: { id: 99, display_name: "Care team member" }, scope: body.scope ?? "metrics", granted_at: now() };
      careTeam.push(link);
      return send(res, 201, link);
    }
    return send(res, 200, page(careTeam));
  }
  if ((m = path.match(/^\/api\/v1\/families\/(\d+)\/care-team\/(\d+)\/$/)) && method === "DELETE") {
    const i = careTeam.findIndex((c) => String(c.id) === m[2]);
    if (i >= 0) careTeam.splice(i, 1);
    return send(res, 204, null);
  }

  if (path === "/api/v1/ruptures/" && method === "GET") {
    const status = url.searchParams.get("status");
    const list = ruptures.filter((r) => visible(r, uid) && (!status || r.status === status));
    return send(res, 200, page(list.map(row)));
  }
  if (path === "/api/v1/ruptures/" && method === "POST") {
    const key = req.headers["idempotency-key"];
    if (key && idempotency.has(key)) return send(res, 201, view(idempotency.get(key), uid));
    if (!Array.isArray(body.feelings) || body.feelings.length === 0) return err(res, 400, "min_length", "Ensure this field has at least 1 elements.", "feelings");
    if (!Number.isInteger(body.intensity)) return err(res, 400, "required", "This field is required.", "intensity");
    if (user.role === "child" && !body.parent) return err(res, 404, "not_found", "No such parent in this family.", "parent");
    const parentId = user.role === "parent" ? uid : Number(body.parent);
    const childId = user.role === "child" ? uid : Number(body.child);
    const r = {
      id: nextId++, family: 1, status: body.unsafe ? "safety_review" : user.role === "parent" ? "acknowledged" : "flagged",
      parent: { id: parentId, display_name: users[parentId]?.display_name }, child: { id: childId, display_name: users[childId]?.display_name },
      started_by: user.role, feelings: body.feelings, intensity: body.intensity,
      size: body.size ?? null, need: body.need ?? null, note: body.note ?? null, occurred_at: body.occurred_at ?? now(),
      needs_space_until: body.needs_space_until ?? null, unsafe: Boolean(body.unsafe), created_at: now(),
      timeline: [{ id: nextId++, kind: body.unsafe ? "safety_review" : "flagged", actor: { id: uid, display_name: user.display_name }, created_at: now() }],
      repair_steps: STEPS.map((s) => ({ step: s, done: false, reflection: "" })), confirmations: { child: null, parent: null },
    };
    ruptures.unshift(r);
    if (key) idempotency.set(key, r);
    return send(res, 201, view(r, uid));
  }
  if ((m = path.match(/^\/api\/v1\/ruptures\/(\d+)\/(.*)$/))) {
    const r = ruptures.find((x) => String(x.id) === m[1] && visible(x, uid));
    if (!r) return err(res, 404, "not_found", "Not found.");
    const action = m[2];
    const side = sideOf(r, uid);
    const log = (kind) => r.timeline.push({ id: nextId++, kind, actor: { id: uid, display_name: user.display_name }, created_at: now() });
    const may = (a) => allowed(r, side).includes(a);
    const conflict = () => err(res, 409, "rupture_not_acknowledged", "That cannot be done now.");
    if (action === "" && method === "GET") return send(res, 200, view(r, uid));
    if (action === "acknowledge/" && method === "POST") {
      if (!may("acknowledge")) return err(res, 409, "rupture_already_acknowledged", "This has already been acknowledged.");
      r.status = "acknowledged";
      log("acknowledged");
      return send(res, 200, view(r, uid));
    }
    if (action === "repair-steps/" && method === "PATCH") {
      if (!may("update_steps")) return conflict();
      for (const s of body.steps ?? []) {
        if (s.reflection === null) return err(res, 400, "null", "This field may not be null.", "reflection");
        const step = r.repair_steps.find((x) => x.step === s.step);
        if (step) Object.assign(step, { done: s.done ?? step.done, reflection: s.reflection ?? step.reflection });
      }
      log("step_done");
      return send(res, 200, view(r, uid));
    }
    if (action === "messages/") {
      messages[r.id] ??= [];
      if (method === "POST") {
        const key = req.headers["idempotency-key"];
        if (key && idempotency.has(key)) return send(res, 201, { ...idempotency.get(key), mine: true });
        if (!may("message")) return err(res, 409, "rupture_closed", "This moment is already closed.");
        if (!String(body.body ?? "").trim()) return err(res, 400, "blank", "This field may not be blank.", "body");
        const msg = { id: nextId++, rupture: r.id, author: { id: uid, display_name: user.display_name }, body: body.body, created_at: now() };
        messages[r.id].push(msg);
        if (key) idempotency.set(key, msg);
        return send(res, 201, { ...msg, mine: true });
      }
      return send(res, 200, messages[r.id].map((x) => ({ ...x, mine: x.author.id === uid })));
    }
    if (action === "confirm/" && method === "POST") {
      if (!may("confirm")) return err(res, 409, "already_confirmed", "You have already confirmed.");
      r.confirmations[side] = now();
      r.status = r.confirmations.child && r.confirmations.parent ? "reconnected" : "awaiting_confirmation";
      log(r.status === "reconnected" ? "reconnected" : "confirmed");
      return send(res, 200, view(r, uid));
    }
    if (action === "not-yet/" && method === "POST") {
      if (!may("not_yet")) return conflict();
      r.status = "acknowledged";
      r.confirmations = { child: null, parent: null };
      log("not_yet");
      return send(res, 200, view(r, uid));
    }
    if (action === "withdraw/" && method === "POST") {
      if (!may("withdraw")) return err(res, 403, "only_starter_can_withdraw", "Only the one who started it can withdraw it.");
      r.status = "withdrawn";
      log("withdrawn");
      return send(res, 200, view(r, uid));
    }
    if (action === "follow-up/" && method === "POST") {
      if (!may("follow_up")) return err(res, 409, "rupture_not_reconnected", "The check-in comes once you've reconnected.");
      log("follow_up");
      if (body.answer !== "not_really") return send(res, 200, view(r, uid));
      const again = { ...structuredClone(r), id: nextId++, status: "flagged", started_by: side, follow_up_of: r.id, created_at: now(),
        confirmations: { child: null, parent: null }, repair_steps: STEPS.map((s) => ({ step: s, done: false, reflection: "" })),
        timeline: [{ id: nextId++, kind: "flagged", actor: { id: uid, display_name: user.display_name }, created_at: now() }] };
      ruptures.unshift(again);
      return send(res, 201, view(again, uid));
    }
  }
  if (path === "/api/v1/notifications/") return send(res, 200, page(notifications));
  if ((m = path.match(/^\/api\/v1\/notifications\/(\d+)\/read\/$/))) {
    const n = notifications.find((x) => String(x.id) === m[1]);
    if (n) n.read_at ??= now();
    return send(res, 200, n ?? {});
  }
  if (path === "/api/v1/notifications/read-all/") {
    for (const n of notifications) n.read_at ??= now();
    return send(res, 200, { marked_read: notifications.length });
  }
  if (path === "/api/v1/push/public-key/") return send(res, 200, { public_key: "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U" });
  if (path === "/api/v1/push-subscriptions/") return send(res, method === "DELETE" ? 204 : 201, method === "DELETE" ? null : { status: 201 });
  return err(res, 404, "not_found", "Not found.");
}

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml" };

async function serveStatic(res, pathname) {
  const rel = normalize(pathname === "/" ? "/index.html" : pathname).replace(/^(\.\.[/\\])+/, "");
  try {
    const data = await readFile(join(DIST, rel));
    const sw = rel === "/sw.js";
    res.writeHead(200, {
      "Content-Type": TYPES[extname(rel)] ?? "application/octet-stream",
      "Content-Security-Policy": CSP,
      "Cache-Control": sw || rel === "/index.html" ? "no-cache" : "max-age=31536000, immutable",
    });
    res.end(data);
  } catch {
    res.writeHead(404, { "Content-Type": "text/plain", "Content-Security-Policy": CSP });
    res.end("Not found");
  }
}

createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  const jar = cookies(req);
  let sid = jar.sessionid;
  if (!sid || !sessions.has(sid)) {
    sid = randomUUID();
    sessions.set(sid, { userId: null, pending: null });
  }
  const csrf = jar.csrftoken ?? randomUUID().replace(/-/g, "");
  res.setHeader("Set-Cookie", [`sessionid=${sid}; Path=/; HttpOnly; SameSite=Lax`, `csrftoken=${csrf}; Path=/; SameSite=Lax`]);
  try {
    if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/_allauth/")) {
      await api(req, res, url, sessions.get(sid), jar.csrftoken);
    } else {
      await serveStatic(res, url.pathname);
    }
  } catch (e) {
    console.error(e);
    send(res, 500, { status: 500, errors: [{ code: "server_error", message: "Mock server error.", param: null }] });
  }
}).listen(PORT, "127.0.0.1", () => console.log(`FamilyRepair mock on http://127.0.0.1:${PORT}`));
