/**
 * How a rupture reads in words: the child's need as a sentence of its own (for the child and for
 * the parent), and the timeline with a run of repair steps told once.
 */

import type { TimelineEvent } from "./types";

/** Each need as a whole sentence, never a label dropped into one ("Sam asked for to talk."). */
export function needSentence(need: string, reader: "child" | "parent", childName: string, parentName: string): string | null {
  if (reader === "child") {
    switch (need) {
      case "comfort":
        return `You asked ${parentName} to be with you.`;
      case "space":
        return "You asked for some time on your own.";
      case "talk":
        return `You asked ${parentName} to help you understand.`;
      case "try_again":
        return "You asked for another go.";
      default:
        return null;
    }
  }
  switch (need) {
    case "comfort":
      return `${childName} would like you to be with them.`;
    case "space":
      return `${childName} would like some time on their own.`;
    case "talk":
      return `${childName} would like you to help them understand.`;
    case "try_again":
      return `${childName} would like another go.`;
    default:
      return null;
  }
}

/** The server's event kinds (ruptures.models.EventKind), as the timeline says them. */
const EVENT_WORDS: Record<string, string> = {
  flagged: "told how they feel",
  acknowledged: "said “I hear you”",
  step_done: "did a repair step",
  step_undone: "went back to a repair step",
  message: "sent a message",
  confirmed: "said “we're OK”",
  not_yet: "said “not yet”",
  reconnected: "reconnected",
  withdrawn: "let it go",
  safety_review: "asked for help",
  follow_up: "answered “are we still OK?”",
  plan: "added to your plan",
  review_closed: "finished looking at it",
  released: "let them see it",
  release_declined: "kept it private for now",
};

export interface TimelineLine {
  key: string;
  at: string;
  text: string;
}

function said(e: TimelineEvent): string {
  const childRepairs = e.kind === "flagged" && e.data["direction"] === "child_repairs";
  const words = childRepairs ? "wanted to make it right" : (EVENT_WORDS[e.kind] ?? e.kind.replace(/_/g, " "));
  return e.actor ? `${e.actor.display_name} ${words}` : words;
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
    const who = first.actor ? first.actor.display_name : "Someone";
    return { key: String(first.id), at: last.created_at, text: `${who} worked through the repair steps` };
  });
}
