/** Web Push: subscribe this device with the server's VAPID key, or unsubscribe it. */

import { api } from "./api";

export type PushSupport = "supported" | "needs-install" | "unsupported";

export function pushSupport(iosHint: boolean): PushSupport {
  if (iosHint) return "needs-install";
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return "unsupported";
  }
  return "supported";
}

export function urlBase64ToUint8Array(base64: string): Uint8Array<ArrayBuffer> {
  const padded = (base64 + "=".repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(padded);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!("serviceWorker" in navigator)) return null;
  const reg = await navigator.serviceWorker.getRegistration();
  return (await reg?.pushManager.getSubscription()) ?? null;
}

/** Asks permission (must follow a tap), subscribes and tells the server. */
export async function enablePush(): Promise<"enabled" | "denied"> {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return "denied";
  const reg = await navigator.serviceWorker.ready;
  const { public_key } = await api.pushPublicKey();
  let sub = await reg.pushManager.getSubscription();
  if (!sub) {
    sub = await reg.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: urlBase64ToUint8Array(public_key),
    });
  }
  await api.addPushSubscription(sub.toJSON());
  return "enabled";
}

export async function disablePush(): Promise<void> {
  const sub = await currentSubscription();
  if (!sub) return;
  await api.removePushSubscription(sub.toJSON()).catch(() => undefined);
  await sub.unsubscribe();
}

/**
 * A session ends: this device stops receiving the person's notifications. `tellServer` while
 * the session still works (logging out); the browser's unsubscribe in every case, after which the
 * push service answers 410 and the server drops its copy at the next delivery.
 */
export async function dropPush(tellServer: boolean): Promise<void> {
  const sub = await currentSubscription();
  if (!sub) return;
  if (tellServer) await api.removePushSubscription({ endpoint: sub.endpoint }).catch(() => undefined);
  await sub.unsubscribe();
}
