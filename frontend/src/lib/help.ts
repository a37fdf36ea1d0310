/**
 * Help resources shown after "I feel unsafe": text and chat lines first (a child may not be able
 * to speak safely), then calls. The server sends `{region, emergency, lines: [{kind: text|chat|call,
 * name, how, value}]}`; links are only ever sms:, tel: or https.
 */

import type { HelpResource, HelpResources } from "./types";

export interface HelpLink {
  name: string;
  kind: HelpResource["kind"];
  /** What to do, in words ("Text SHOUT to 85258"). */
  how: string;
  href: string | null;
}

export interface Help {
  emergency: string | null;
  links: HelpLink[];
}

const ORDER: Record<HelpLink["kind"], number> = { text: 0, chat: 1, call: 2 };

/** "childline.org.uk" or "https://…" becomes an https link; anything else is not a link. */
function webUrl(value: string): string | null {
  const raw = /^https?:\/\//i.test(value) ? value : /^[a-z0-9-]+(\.[a-z0-9-]+)+(\/\S*)?$/i.test(value) ? `https://${value}` : null;
  if (!raw) return null;
  try {
    const u = new URL(raw);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

function digits(s: string): string {
  return s.replace(/[^\d+]/g, "");
}

function hrefOf(line: HelpResource): string | null {
  switch (line.kind) {
    case "text":
      return digits(line.value) ? `sms:${digits(line.value)}` : null;
    case "call":
      return digits(line.value) ? `tel:${digits(line.value)}` : null;
    case "chat":
      return webUrl(line.value);
  }
}

export function normaliseHelp(raw: HelpResources | null | undefined): Help {
  if (!raw) return { emergency: null, links: [] };
  const links = raw.lines
    .map((line) => ({ name: line.name, kind: line.kind, how: line.how, href: hrefOf(line) }))
    .sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  return { emergency: raw.emergency || null, links };
}
