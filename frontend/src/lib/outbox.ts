/**
 * The offline outbox: writes that must not be lost (flags, messages) are stored in IndexedDB
 * first, with the Idempotency-Key made for that user action, and then sent. Anything still
 * stored is replayed with the same key when the device is back online (the `online` event,
 * Background Sync in the service worker where supported, and every app start), so the server
 * sees at most one rupture or message per action however often a replay happens.
 *
 * Shared by the page and the service worker: no DOM here. The sender is injected so tests run
 * against fake-indexeddb and a fake server.
 */

import { clear, createStore, del, get, set, values, type UseStore } from "idb-keyval";
import { parseErrors, type ApiErrorItem } from "./errors";

export type OutboxKind = "flag" | "unsafe" | "message";

export interface OutboxItem {
  /** The Idempotency-Key: made once per user action, reused on every retry. */
  key: string;
  /** The user who made it: only replayed while that same user is signed in on this device. */
  owner: string;
  kind: OutboxKind;
  method: "POST";
  url: string;
  body: unknown;
  createdAt: number;
  attempts: number;
  lastTriedAt?: number | null;
  /** For messages: the rupture they belong to, so its screen can show "waiting to send". */
  ruptureId?: string | null;
  /** A short human description for the "waiting to send" list. */
  label?: string;
  /** Set when the server refused it for good (4xx other than auth/throttle): not retried. */
  failed?: { status: number; errors: ApiErrorItem[] } | null;
}

export interface SendResult {
  /** HTTP status; 0 when the network failed. */
  status: number;
  body: unknown;
}

export type Sender = (item: OutboxItem) => Promise<SendResult>;

export type Outcome = "sent" | "retry" | "auth" | "failed";

/** How one answer is treated. Network failures, throttling and server errors are retried later. */
export function classify(result: SendResult): Outcome {
  const { status, body } = result;
  if (status >= 200 && status < 300) return "sent";
  if (status === 0 || status === 408 || status === 425 || status === 429 || status >= 500) return "retry";
  if (status === 401) return "auth";
  if (status === 403) {
    // Django's CSRF failure is an HTML page (or has a csrf code): fix the token, then retry.
    const parsed = parseErrors(status, body);
    const csrf = typeof body === "string" || parsed.errors.some((e) => /csrf/i.test(e.code + e.message));
    return csrf ? "auth" : "failed";
  }
  if (status === 409) {
    // The same key still being processed by the server is not a failure; try again later.
    const parsed = parseErrors(status, body);
    if (parsed.errors.some((e) => /idempotency|in_progress/i.test(e.code))) return "retry";
  }
  return "failed";
}

export interface FlushReport {
  sent: { item: OutboxItem; body: unknown }[];
  failed: OutboxItem[];
  remaining: number;
  stoppedBy: "done" | "retry" | "auth" | "busy";
}

export interface FlushOptions {
  /**
   * Wait for a replay already running (here or in the other context) and then flush, instead of
   * answering "busy". The page's own send needs it: the service worker's Background Sync fires as
   * soon as the page registers it, and a child told "saved for later" while online is told wrong.
   */
  wait?: boolean;
  /** Run once the lock is held, before anything is sent (the page registers Background Sync here). */
  beforeSend?: () => Promise<void>;
}

export interface Outbox {
  add(item: Omit<OutboxItem, "createdAt" | "attempts" | "method"> & Partial<Pick<OutboxItem, "createdAt">>): Promise<OutboxItem>;
  list(): Promise<OutboxItem[]>;
  get(key: string): Promise<OutboxItem | undefined>;
  remove(key: string): Promise<void>;
  flush(send: Sender, owner: string | null, options?: FlushOptions): Promise<FlushReport>;
  clear(): Promise<void>;
  subscribe(listener: () => void): () => void;
  notify(): void;
}

const LOCK = "familyrepair-outbox";

interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable: boolean }, cb: (lock: unknown) => Promise<T>): Promise<T>;
}

function lockManager(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks ?? null;
}

export function createOutbox(store: UseStore, now: () => number = Date.now): Outbox {
  const listeners = new Set<() => void>();
  let running: Promise<FlushReport> | null = null;

  const notify = (): void => {
    for (const l of listeners) l();
  };

  const list = async (): Promise<OutboxItem[]> => {
    const items = (await values<OutboxItem>(store)).filter((i) => i && typeof i.key === "string");
    return items.sort((a, b) => a.createdAt - b.createdAt || a.key.localeCompare(b.key));
  };

  const runFlush = async (send: Sender, owner: string): Promise<FlushReport> => {
    const report: FlushReport = { sent: [], failed: [], remaining: 0, stoppedBy: "done" };
    const items = (await list()).filter((i) => !i.failed && i.owner === owner);
    for (const item of items) {
      // Another context (page or worker) may have sent it meanwhile.
      const current = await get<OutboxItem>(item.key, store);
      if (!current || current.failed) continue;
      const tried: OutboxItem = { ...current, attempts: current.attempts + 1, lastTriedAt: now() };
      await set(item.key, tried, store);
      let result: SendResult;
      try {
        result = await send(tried);
      } catch {
        result = { status: 0, body: null };
      }
      const outcome = classify(result);
      if (outcome === "sent") {
        await del(item.key, store);
        report.sent.push({ item: tried, body: result.body });
        continue;
      }
      if (outcome === "failed") {
        const failed: OutboxItem = { ...tried, failed: parseErrors(result.status, result.body) };
        await set(item.key, failed, store);
        report.failed.push(failed);
        continue;
      }
      // Retry later and keep the order: later items wait behind this one.
      report.stoppedBy = outcome;
      break;
    }
    report.remaining = (await list()).filter((i) => !i.failed && i.owner === owner).length;
    return report;
  };

  const flush = async (send: Sender, owner: string | null, options: FlushOptions = {}): Promise<FlushReport> => {
    if (owner === null) return { sent: [], failed: [], remaining: (await list()).length, stoppedBy: "auth" };
    const wait = options.wait ?? false;
    if (running && !wait) return running;
    const locks = lockManager();
    const go = async (): Promise<FlushReport> => {
      try {
        await options.beforeSend?.();
        return await runFlush(send, owner);
      } finally {
        notify();
      }
    };
    // Without Web Locks only this context's replay can be waited for.
    if (wait && !locks) while (running) await running.catch(() => undefined);
    const mine: Promise<FlushReport> = (
      locks
        ? locks.request(LOCK, { ifAvailable: !wait }, async (lock) =>
            lock ? go() : { sent: [], failed: [], remaining: (await list()).length, stoppedBy: "busy" as const },
          )
        : go()
    ).finally(() => {
      if (running === mine) running = null;
    });
    running = mine;
    return mine;
  };

  return {
    async add(partial) {
      const item: OutboxItem = {
        ...partial,
        method: "POST",
        createdAt: partial.createdAt ?? now(),
        attempts: 0,
        failed: null,
      };
      await set(item.key, item, store);
      notify();
      return item;
    },
    list,
    get: (key) => get<OutboxItem>(key, store),
    async remove(key) {
      await del(key, store);
      notify();
    },
    flush,
    async clear() {
      await clear(store);
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify,
  };
}

export const OUTBOX_DB = "familyrepair-outbox";
export const META_DB = "familyrepair-meta";
export const SYNC_TAG = "familyrepair-outbox";

export function outboxStore(): UseStore {
  return createStore(OUTBOX_DB, "items");
}

export function metaStore(): UseStore {
  return createStore(META_DB, "kv");
}

/** A sender over fetch, used by the page (token from the cookie) and the worker (token stored). */
export function fetchSender(
  csrf: () => Promise<string | null> | string | null,
  language: () => string | null = () => null,
): Sender {
  return async (item) => {
    const token = await csrf();
    const headers: Record<string, string> = {
      Accept: "application/json",
      "Content-Type": "application/json",
      "Idempotency-Key": item.key,
    };
    if (token) headers["X-CSRFToken"] = token;
    const lang = language();
    if (lang) headers["Accept-Language"] = lang;
    let resp: Response;
    try {
      resp = await fetch(item.url, {
        method: item.method,
        headers,
        body: JSON.stringify(item.body),
        credentials: "same-origin",
      });
    } catch {
      return { status: 0, body: null };
    }
    const text = await resp.text().catch(() => "");
    let body: unknown = text;
    if ((resp.headers.get("Content-Type") ?? "").includes("json") && text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: resp.status, body };
  };
}
