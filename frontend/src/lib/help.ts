/**
 * Help resources shown after "I feel unsafe": text and chat lines first (a child may not be able
 * to speak safely), then calls, then websites. Links are only ever sms:, tel: or http(s).
 *
 * The server answers `{region, emergency, lines: [{kind: text|chat|call, name, how, value}]}`;
 * a bare list of lines is accepted too.
 */

import type { HelpResource, HelpResources } from "./types";

export interface HelpLink {
  name: string;
  kind: "text" | "chat" | "call" | "web";
  /** What to do, in words ("Text HOME to 741741"). */
  how: string | null;
  /** The number or address. */
  contact: string | null;
  href: string | null;
  description: string | null;
  hours: string | null;
}

export interface Help {
  region: string | null;
  emergency: string | null;
  links: HelpLink[];
}

const ORDER: Record<HelpLink["kind"], number> = { text: 0, chat: 1, call: 2, web: 3 };

function kindOf(raw: string | undefined): HelpLink["kind"] {
  const k = (raw ?? "").toLowerCase();
  if (k.includes("text") || k.includes("sms")) return "text";
  if (k.includes("chat")) return "chat";
  if (k.includes("call") || k.includes("phone") || k.includes("tel")) return "call";
  return "web";
}

function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.protocol === "https:" || u.protocol === "http:") return u.href;
    if (u.protocol === "tel:" || u.protocol === "sms:") return url;
  } catch {
    return null;
  }
  return null;
}

/** "childline.org.uk" or "https://…" becomes an https link; anything else is not a link. */
function webUrl(value: string): string | null {
  if (/^https?:\/\//i.test(value)) return safeUrl(value);
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+(\/\S*)?$/i.test(value)) return safeUrl(`https://${value}`);
  return null;
}

function digits(s: string): string {
  return s.replace(/[^\d+]/g, "");
}

function clean(v: unknown): string | null {
  return typeof v === "string" && v.trim() ? v.trim() : null;
}

export function normaliseLines(resources: readonly HelpResource[] | null | undefined): HelpLink[] {
  if (!Array.isArray(resources)) return [];
  const out: HelpLink[] = [];
  for (const r of resources) {
    if (!r || typeof r.name !== "string") continue;
    const kind = kindOf(r.kind);
    const contact = clean(r.value) ?? clean(r.contact);
    let href = safeUrl(r.url ?? null);
    if (!href && contact) {
      if (kind === "text" && digits(contact)) href = `sms:${digits(contact)}`;
      else if (kind === "call" && digits(contact)) href = `tel:${digits(contact)}`;
      else if (kind === "chat" || kind === "web") href = webUrl(contact);
    }
    out.push({
      name: r.name,
      kind,
      how: clean(r.how),
      contact,
      href,
      description: clean(r.description),
      hours: clean(r.hours),
    });
  }
  return out.sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
}

export function normaliseHelp(raw: HelpResources | readonly HelpResource[] | null | undefined): Help {
  if (Array.isArray(raw)) return { region: null, emergency: null, links: normaliseLines(raw) };
  if (raw && typeof raw === "object") {
    const r = raw as HelpResources;
    return { region: clean(r.region), emergency: clean(r.emergency), links: normaliseLines(r.lines) };
  }
  return { region: null, emergency: null, links: [] };
}
