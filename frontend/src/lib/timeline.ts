/**
 * How a rupture reads in words: the child's need as a sentence of its own (for the child and for
 * the parent), and the timeline with a run of repair steps told once.
 */

import type { TimelineEvent } from "./types";
import { t } from "./i18n";

/** Each need as a whole sentence, never a label dropped into one ("Sam asked for to talk."). */
export function needSentence(need: string, reader: "child" | "parent", childName: string, parentName: string): string | null {
  if (reader === "child") {
    switch (need) {
      case "comfort":
        return t("needs.child.comfort", { parent: parentName });
      case "space":
        return t("needs.child.space");
      case "talk":
        return t("needs.child.talk", { parent: parentName });
      case "try_again":
        return t("needs.child.try_again");
      default:
        return null;
    }
  }
  switch (need) {
    case "comfort":
      return t("needs.parent.comfort", { child: childName });
    case "space":
      return t("needs.parent.space", { child: childName });
    case "talk":
      return t("needs.parent.talk", { child: childName });
    case "try_again":
      return t("needs.parent.try_again", { child: childName });
    default:
      return null;
  }
}

/** The server's event kinds (ruptures.models.EventKind), as the timeline says them. */
const EVENT_WORDS = {
  flagged: () => t("timeline.flagged"),
  acknowledged: () => t("timeline.acknowledged"),
  step_done: () => t("timeline.step_done"),
  step_undone: () => t("timeline.step_undone"),
  message: () => t("timeline.message"),
  confirmed: () => t("timeline.confirmed"),
  not_yet: () => t("timeline.not_yet"),
  reconnected: () => t("timeline.reconnected"),
  withdrawn: () => t("timeline.withdrawn"),
  safety_review: () => t("timeline.safety_review"),
  follow_up: () => t("timeline.follow_up"),
  plan: () => t("timeline.plan"),
  review_closed: () => t("timeline.review_closed"),
  released: () => t("timeline.released"),
  release_declined: () => t("timeline.release_declined"),
} satisfies Record<string, () => string>;

function eventWords(kind: string): string {
  return Object.hasOwn(EVENT_WORDS, kind) ? EVENT_WORDS[kind as keyof typeof EVENT_WORDS]() : kind.replace(/_/g, " ");
}

export interface TimelineLine {
  key: string;
  at: string;
  text: string;
}

function said(e: TimelineEvent): string {
  const childRepairs = e.kind === "flagged" && e.data["direction"] === "child_repairs";
  const words = childRepairs ? t("timeline.child_repairs") : eventWords(e.kind);
  return e.actor ? t("timeline.who", { name: e.actor.display_name, words }) : words;
}

/**
 * One line per event, except that repair steps one person ticked in a row (going back to one
 * included) read as one line, at the time of the last: "Alex worked through the repair steps".
 */
export function timelineLines(events: readonly TimelineEvent[]): TimelineLine[] {
  const isStep = (e: TimelineEvent): boolean => e.kind === "step_done" || e.kind === "step_undone";
  const runs: TimelineEvent[][] = [];
  for (const e of events) {
    const run = runs[runs.length - 1];
    const first = run?.[0];
    if (run && first && isStep(first) && isStep(e) && first.actor?.id === e.actor?.id) run.push(e);
    else runs.push([e]);
  }
  return runs.map((run) => {
    const [first] = run as [TimelineEvent, ...TimelineEvent[]];
    const last = run[run.length - 1] ?? first;
    if (run.length === 1) return { key: String(first.id), at: first.created_at, text: said(first) };
    const who = first.actor ? first.actor.display_name : t("timeline.someone");
    return { key: String(first.id), at: last.created_at, text: t("timeline.steps", { name: who }) };
  });
}
