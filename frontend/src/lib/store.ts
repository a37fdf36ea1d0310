/**
 * App state: who is signed in, their families, the feelings vocabulary, the outbox, the inbox
 * badge. Small JSON the child needs to flag offline (me, feelings, members) is kept in
 * localStorage. A family may share one device, so when a session ends (logging out, or the
 * server answering 401 because a parent ended this device's session) everything this app keeps
 * on the device goes: see `forgetDevice`.
 */

import { clear as idbClear, set as idbSet } from "idb-keyval";
import { useEffect, useState } from "preact/hooks";
import { api } from "./api";
import * as auth from "./auth";
import { csrfToken, currentAcceptLanguage, onCsrfToken, setUnauthorizedHandler } from "./http";
import { browserLocale, currentLocale, onLocaleChange, setLocale, supportedLocale, t, type Locale } from "./i18n";
import { dropPush } from "./push";
import {
  createOutbox,
  fetchSender,
  metaStore,
  outboxStore,
  SYNC_TAG,
  type FlushOptions,
  type FlushReport,
  type OutboxItem,
} from "./outbox";
import type { FeelingDef, HelpResources, Id, Me, Member } from "./types";

export interface AppState {
  auth: "loading" | "anonymous" | "authenticated";
  pendingFlow: string | null;
  me: Me | null;
  online: boolean;
  outbox: OutboxItem[];
  unread: number;
  feelings: FeelingDef[];
  members: Record<string, Member[]>;
  announcement: string;
  /** Where to go once signed in (e.g. an invite link opened while signed out). */
  afterLogin: string | null;
  /** Set when a new service worker waits: calling it activates the new version and reloads. */
  updateReady: (() => void) | null;
  /** Help resources from the last unsafe flag (or the cached ones). */
  help: HelpResources | null;
  /** Where the last "I feel unsafe" message is. */
  unsafe: "sending" | "sent" | "queued" | "failed" | null;
  /** How many outbox items this page has seen delivered: lists that show them reload on change. */
  delivered: number;
  /** The language the app is shown in (lib/i18n); the shell re-renders when it changes. */
  locale: Locale;
}

let state: AppState = {
  auth: "loading",
  pendingFlow: null,
  me: null,
  online: typeof navigator === "undefined" ? true : navigator.onLine,
  outbox: [],
  unread: 0,
  feelings: [],
  members: {},
  announcement: "",
  afterLogin: null,
  updateReady: null,
  help: null,
  unsafe: null,
  delivered: 0,
  locale: "en",
};

const listeners = new Set<() => void>();

export function getState(): AppState {
  return state;
}

export function setState(patch: Partial<AppState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export function useAppState(): AppState {
  const [, force] = useState(0);
  const shown = state;
  useEffect(() => {
    const l = (): void => force((n) => n + 1);
    listeners.add(l);
    // Effects run after paint: a change made before that (boot answers an offline start at
    // once) reached no listener, and the screen would wait on "Loading…" for the next one.
    if (state !== shown) l();
    return () => {
      listeners.delete(l);
    };
  }, []);
  return state;
}

/** Polite screen-reader announcement (rendered in an aria-live region by the shell). */
export function announce(message: string): void {
  setState({ announcement: "" });
  setTimeout(() => setState({ announcement: message }), 30);
}

// --- offline cache -------------------------------------------------------------------------

const CACHE_PREFIX = "fr:";

function cacheGet<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(CACHE_PREFIX + key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function cacheSet(key: string, value: unknown): void {
  try {
    localStorage.setItem(CACHE_PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the app still works online.
  }
}

/** Caches the service worker may hold besides its precache of the app shell (no user data). */
async function dropResponseCaches(): Promise<void> {
  if (typeof caches === "undefined") return;
  for (const name of await caches.keys()) {
    if (!name.startsWith("workbox-precache")) await caches.delete(name);
  }
}

let forgetting: Promise<void> | null = null;

/**
 * Removes everything this app keeps on the device for the person who was signed in: every
 * localStorage key, the IndexedDB outbox (queued flags, an unsafe one with its note among them)
 * and the service worker's copy of the owner and CSRF token, any cache of API responses, and the
 * push subscription, so the next person on a shared device sees and receives nothing of theirs.
 * `tellServer`: the session still works, so the server forgets the subscription first.
 */
export function forgetDevice(opts: { tellServer: boolean }): Promise<void> {
  forgetting ??= (async () => {
    await dropPush(opts.tellServer).catch(() => undefined);
    try {
      localStorage.clear();
    } catch {
      // Storage disabled: nothing was kept.
    }
    await outbox.clear().catch(() => undefined);
    await idbClear(meta).catch(() => undefined);
    await dropResponseCaches().catch(() => undefined);
    setState({ outbox: [], feelings: [], help: null, unsafe: null });
  })().finally(() => {
    forgetting = null;
  });
  return forgetting;
}

// --- outbox --------------------------------------------------------------------------------

export const outbox = createOutbox(outboxStore());
const meta = metaStore();

/** The service worker replays the outbox with the signed-in person's token; none once they leave. */
function keepCsrf(token: string | null): void {
  if (token && state.auth === "authenticated") void idbSet("csrf", token, meta).catch(() => undefined);
}
onCsrfToken(keepCsrf);

outbox.subscribe(() => {
  void outbox.list().then((items) => setState({ outbox: items }));
});

async function registerSync(): Promise<void> {
  try {
    const reg = await navigator.serviceWorker?.getRegistration();
    const sync = (reg as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined)?.sync;
    await sync?.register(SYNC_TAG);
  } catch {
    // Background Sync is optional: the online event and app start replay too.
  }
}

function ownerId(): string | null {
  return state.me ? String(state.me.id) : null;
}

export async function flushOutbox(options: FlushOptions = {}): Promise<FlushReport> {
  const report = await outbox.flush(fetchSender(() => csrfToken(), currentAcceptLanguage), ownerId(), options);
  if (report.stoppedBy === "auth" && state.auth === "authenticated") {
    // Usually a rotated CSRF token: refreshing the session sets a fresh cookie. Or the session
    // was ended elsewhere, and what was queued goes with it.
    const session = await auth.getSession().catch(() => null);
    if (session && session.kind !== "authenticated") await sessionEnded();
  }
  if (report.sent.length) {
    setState({ delivered: state.delivered + report.sent.length });
    announce(t("outbox.sent", { count: report.sent.length }));
  }
  return report;
}

/** Store first, then try to send: a closed tab or a dropped connection loses nothing. */
export async function sendViaOutbox(
  item: Omit<OutboxItem, "createdAt" | "attempts" | "method" | "owner">,
): Promise<{ sent: boolean; body: unknown; failed: OutboxItem | null }> {
  const owner = ownerId();
  if (owner === null) throw new Error("not signed in");
  await outbox.add({ ...item, owner });
  if (!navigator.onLine) {
    await registerSync();
    return { sent: false, body: null, failed: null };
  }
  // Background Sync is registered with the lock held, so the worker's replay it starts waits
  // for this send (and retries later if the tab closes first) instead of taking the item away.
  const report = await flushOutbox({ wait: true, beforeSend: registerSync });
  const sent = report.sent.find((s) => s.item.key === item.key);
  if (sent) return { sent: true, body: sent.body, failed: null };
  const failed = report.failed.find((f) => f.key === item.key) ?? null;
  if (failed) return { sent: false, body: null, failed };
  // Stopped for a session: if it had ended, the outbox is gone with it, and nothing was sent.
  if (report.stoppedBy === "auth") return { sent: false, body: null, failed: null };
  // Not in this flush: a replay that was already running sent it, or refused it, first.
  const left = await outbox.get(item.key);
  if (!left) return { sent: true, body: null, failed: null };
  return { sent: false, body: null, failed: left.failed ? left : null };
}

// --- session -------------------------------------------------------------------------------

export async function loadFeelings(): Promise<void> {
  try {
    const feelings = await api.feelings();
    cacheSet("feelings", feelings);
    setState({ feelings });
  } catch {
    // Keep the cached vocabulary.
  }
}

const membersLoading = new Map<string, Promise<Member[]>>();

/** The family's members (one request at a time per family; the cached list when offline). */
export function loadMembers(familyId: Id): Promise<Member[]> {
  const key = String(familyId);
  const pending = membersLoading.get(key) ?? fetchMembers(key);
  membersLoading.set(key, pending);
  void pending.finally(() => membersLoading.delete(key)).catch(() => undefined);
  return pending;
}

async function fetchMembers(key: string): Promise<Member[]> {
  try {
    const members = (await api.members(key)).results;
    cacheSet(`members:${key}`, members);
    setState({ members: { ...state.members, [key]: members } });
    return members;
  } catch (err) {
    const cached = state.members[key] ?? cacheGet<Member[]>(`members:${key}`);
    if (cached) return cached;
    throw err;
  }
}

export async function refreshUnread(): Promise<void> {
  try {
    const items = (await api.notifications()).results;
    setState({ unread: items.filter((n) => !n.read_at).length });
  } catch {
    // The badge is a nicety.
  }
}

// --- language ------------------------------------------------------------------------------

onLocaleChange((locale) => setState({ locale }));

const NEW_ACCOUNT_KEY = "new-account";
/** The language picked before sign-in, on this device. */
const CHOSEN_KEY = "locale";

/**
 * Signing up or pairing a phone makes an account whose `locale` nobody chose yet (the server's
 * default, English): its first signed-in load keeps the language the app was already showing
 * (the browser's), by saving it once. Later loads follow `me.locale`, whatever the browser says.
 */
export function markNewAccount(): void {
  cacheSet(NEW_ACCOUNT_KEY, true);
}

async function applyLocale(me: Me): Promise<Me> {
  const isNew = cacheGet<boolean>(NEW_ACCOUNT_KEY) === true;
  const shown = currentLocale();
  if (isNew) {
    try {
      localStorage.removeItem(CACHE_PREFIX + NEW_ACCOUNT_KEY);
    } catch {
      // Storage disabled: nothing was kept.
    }
    if (me.locale === "en" && shown !== "en") {
      const updated = await api.updateMe({ locale: shown }).catch(() => null);
      if (updated) return { ...me, locale: shown };
    }
  }
  const wanted = supportedLocale(me.locale) ?? "en";
  if (wanted !== shown) await setLocale(wanted);
  return me;
}

/** Switches the app's language and saves it as the person's choice (Settings' picker). */
export async function chooseLocale(locale: Locale): Promise<void> {
  if (state.auth === "authenticated") {
    // Saved first: a refusal (offline, say) leaves the app in the language the account has.
    const updated = await api.updateMe({ locale });
    const me = state.me ? { ...state.me, ...updated, locale } : null;
    if (me) cacheSet("me", me);
    setState({ me });
  } else {
    cacheSet(CHOSEN_KEY, locale); // until sign-in; a new account then keeps it (markNewAccount)
  }
  await setLocale(locale);
}

export async function refreshMe(): Promise<Me> {
  const me = await applyLocale(await api.me());
  cacheSet("me", me);
  void idbSet("owner", String(me.id), meta).catch(() => undefined);
  setState({ me, auth: "authenticated", pendingFlow: null });
  keepCsrf(csrfToken());
  return me;
}

/** What a confirmed session loads; sending the outbox is each caller's (boot's comes after it). */
async function afterSignIn(): Promise<void> {
  const me = await refreshMe();
  void loadFeelings();
  for (const f of me.families) void loadMembers(f.id).catch(() => undefined);
  void refreshUnread();
}

/** Called after login, verification or pairing answered "authenticated". */
export async function signedIn(): Promise<void> {
  sessionUnchecked = false;
  await afterSignIn();
  void flushOutbox();
}

export function signedOut(pendingFlow: string | null = null): void {
  setState({ auth: "anonymous", me: null, pendingFlow, unread: 0, members: {} });
}

/**
 * The server no longer knows this session (a parent ended the device's session, it expired, or
 * the account was deleted): the person's data leaves the device; the push subscription is dropped
 * in the browser (the server drops its copy when the push service answers 410).
 */
export async function sessionEnded(pendingFlow: string | null = null): Promise<void> {
  signedOut(pendingFlow);
  await forgetDevice({ tellServer: false });
}

/** The language to start in: the signed-in person's (as cached), else one picked here, else the browser's. */
export function startingLocale(): Locale {
  return supportedLocale(cacheGet<Me>("me")?.locale) ?? supportedLocale(cacheGet<string>(CHOSEN_KEY)) ?? browserLocale();
}

export async function boot(): Promise<void> {
  const cachedMe = cacheGet<Me>("me");
  const cachedFeelings = cacheGet<FeelingDef[]>("feelings") ?? [];
  const members: Record<string, Member[]> = {};
  for (const f of cachedMe?.families ?? []) {
    const m = cacheGet<Member[]>(`members:${String(f.id)}`);
    if (m) members[String(f.id)] = m;
  }
  setState({ feelings: cachedFeelings, members });
  if (cachedMe) setState({ me: cachedMe, auth: "authenticated" });
  void outbox.list().then((items) => setState({ outbox: items }));

  setUnauthorizedHandler(() => {
    if (state.auth === "authenticated") void sessionEnded();
  });
  window.addEventListener("online", () => {
    setState({ online: true });
    void flushOutbox();
    // After an offline start, the session is checked too: a session ended meanwhile is found
    // even with nothing queued.
    if (sessionUnchecked) void checkSession();
  });
  window.addEventListener("offline", () => setState({ online: false }));
  // The badge between pushes: a light poll while the app is on screen.
  setInterval(() => {
    if (document.visibilityState === "visible" && state.auth === "authenticated" && state.online) void refreshUnread();
  }, 120_000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || state.auth !== "authenticated") return;
    void refreshUnread();
    void flushOutbox().catch(() => undefined);
  });

  if (!cachedMe && !auth.maybeSignedIn()) {
    // A browser with no cookie from us has no session to ask about.
    signedOut(null);
    void auth.prepare().catch(() => undefined);
    return;
  }
  if (!state.online) {
    // Offline start: a request would only fail (or, on some networks, hang), so trust the cached
    // profile so a child can still flag, and ask about the session once the phone is back.
    if (!cachedMe) setState({ auth: "anonymous" });
    sessionUnchecked = true;
    return;
  }
  await checkSession();
}

/** An offline start leaves the session unchecked until the server answers the check. */
let sessionUnchecked = false;

/** Asks the server whether this browser's session is still signed in, and follows its answer. */
async function checkSession(): Promise<void> {
  const cachedMe = state.me;
  try {
    const s = await auth.getSession();
    sessionUnchecked = false;
    if (s.kind === "authenticated") {
      await afterSignIn();
    } else if (cachedMe) {
      await sessionEnded(s.kind === "pending" ? s.flow : null);
    } else {
      signedOut(s.kind === "pending" ? s.flow : null);
    }
  } catch {
    // A network failure keeps the cached profile (the outbox replays later); so does a server
    // error. With no profile, the login screen is what there is to show.
    if (!cachedMe) setState({ auth: "anonymous" });
  }
}

/**
 * Logging out: the server forgets this device's push subscription while the session still
 * allows it, the session ends, and everything of this person leaves the device, unsent items
 * included (the UI warns first).
 */
export async function logOut(): Promise<void> {
  await dropPush(true).catch(() => undefined);
  try {
    await auth.logout();
  } finally {
    signedOut();
    await forgetDevice({ tellServer: false });
  }
}

/** The outbox items of whoever is signed in now. */
export function myOutbox(s: AppState): OutboxItem[] {
  const owner = s.me ? String(s.me.id) : null;
  return s.outbox.filter((i) => i.owner === owner);
}
