/**
 * The service worker (Workbox injectManifest): precaches the app shell so it opens offline,
 * serves index.html for navigations, shows push notifications and opens their rupture on click,
 * and replays the offline outbox on Background Sync.
 */

import { get } from "idb-keyval";
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { createOutbox, fetchSender, metaStore, outboxStore, SYNC_TAG } from "./lib/outbox";

declare const self: ServiceWorkerGlobalScope &
  typeof globalThis & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

interface SyncEventLike extends ExtendableEvent {
  readonly tag: string;
}

// The first install controls the open page at once (offline works without a reload); later
// versions wait until the person taps "Reload" (SKIP_WAITING), so no page mixes two versions.
clientsClaim();
cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);

registerRoute(
  new NavigationRoute(createHandlerBoundToURL("index.html"), {
    denylist: [/^\/api\//, /^\/_allauth\//, /^\/admin/, /^\/healthz/, /^\/static\//],
  }),
);

// --- outbox replay ------------------------------------------------------------------------

const outbox = createOutbox(outboxStore());
const meta = metaStore();

async function tellClients(message: unknown): Promise<void> {
  const all = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const c of all) c.postMessage(message);
}

async function replay(): Promise<void> {
  const owner = (await get<string>("owner", meta)) ?? null;
  const token = (await get<string>("csrf", meta)) ?? null;
  const report = await outbox.flush(
    fetchSender(() => token),
    owner,
  );
  await tellClients({ type: "outbox-changed" });
  // Background Sync retries a sync whose promise rejects; ask again while items remain, and when
  // the page held the outbox (its own send; if its tab closes first, the retry delivers).
  if (report.stoppedBy === "retry" || report.stoppedBy === "busy") throw new Error("outbox not empty yet");
}

self.addEventListener("sync", (event) => {
  const e = event as SyncEventLike;
  if (e.tag === SYNC_TAG) e.waitUntil(replay());
});

self.addEventListener("message", (event: ExtendableMessageEvent) => {
  const data = event.data as { type?: string } | null;
  if (data?.type === "SKIP_WAITING") void self.skipWaiting();
  if (data?.type === "REPLAY_OUTBOX") event.waitUntil(replay().catch(() => undefined));
});

// --- push ---------------------------------------------------------------------------------

interface PushPayload {
  title?: string;
  body?: string;
  url?: string;
  tag?: string;
}

function sameOriginUrl(raw: string | undefined): string {
  try {
    const u = new URL(raw ?? "/", self.location.origin);
    return u.origin === self.location.origin ? u.href : `${self.location.origin}/`;
  } catch {
    return `${self.location.origin}/`;
  }
}

self.addEventListener("push", (event: PushEvent) => {
  let payload: PushPayload = {};
  try {
    payload = (event.data?.json() as PushPayload | null) ?? {};
  } catch {
    payload = { body: event.data?.text() ?? "" };
  }
  const options: NotificationOptions = {
    body: payload.body ?? "",
    icon: "/icons/icon-192.png",
    badge: "/icons/badge-96.png",
    data: { url: sameOriginUrl(payload.url) },
  };
  if (payload.tag) options.tag = payload.tag;
  event.waitUntil(self.registration.showNotification(payload.title ?? "FamilyRepair", options));
});

self.addEventListener("notificationclick", (event: NotificationEvent) => {
  event.notification.close();
  const url = sameOriginUrl((event.notification.data as { url?: string } | null)?.url);
  event.waitUntil(
    (async () => {
      const all = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const client = all.find((c) => new URL(c.url).origin === self.location.origin);
      if (client) {
        await client.focus();
        client.postMessage({ type: "navigate", url });
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});

function urlBase64ToUint8Array(base64: string): Uint8Array<ArrayBuffer> {
  const padded = (base64 + "=".repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(padded);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

self.addEventListener("pushsubscriptionchange", (event: Event) => {
  const e = event as ExtendableEvent;
  e.waitUntil(
    (async () => {
      const token = (await get<string>("csrf", meta)) ?? "";
      const keyResp = await fetch("/api/v1/push/public-key/", { credentials: "same-origin" });
      if (!keyResp.ok) return;
      const { public_key } = (await keyResp.json()) as { public_key: string };
      const sub = await self.registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: urlBase64ToUint8Array(public_key),
      });
      await fetch("/api/v1/push-subscriptions/", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify(sub.toJSON()),
      });
    })().catch(() => undefined),
  );
});
