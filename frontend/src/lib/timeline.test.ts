import { describe, expect, it } from "vitest";
import { needSentence, timelineLines } from "./timeline";
import type { Need, TimelineEvent } from "./types";

const alex = { id: 7, display_name: "Alex" };
const sam = { id: 8, display_name: "Sam" };

function event(id: number, kind: string, actor: typeof alex | null, minute: number): TimelineEvent {
  const at = `2026-01-01T10:${String(minute).padStart(2, "0")}:00Z`;
  return { id, kind, actor, from_status: "", to_status: "", data: {}, created_at: at } as TimelineEvent;
}

describe("needs", () => {
  const needs: Need[] = ["comfort", "space", "talk", "try_again"];

  it("each need is a sentence of its own, for the child and for the parent", () => {
    for (const need of needs) {
      for (const reader of ["child", "parent"] as const) {
        const text = needSentence(need, reader, "Sam", "Mum");
        expect(text).toMatch(/^[A-Z].*\.$/);
        expect(text).not.toMatch(/asked for to|asked for a do-over|undefined/);
      }
    }
    expect(needSentence("talk", "parent", "Sam", "Mum")).toBe("Sam would like you to help them understand.");
    expect(needSentence("talk", "child", "Sam", "Mum")).toBe("You asked Mum to help you understand.");
  });
});

describe("timeline", () => {
  it("a run of one person's repair steps is one line, at the last step's time", () => {
    const events = [
      event(1, "flagged", sam, 0),
      event(2, "acknowledged", alex, 1),
      ...[3, 4, 5, 6, 7, 8].map((id) => event(id, "step_done", alex, id)),
      event(9, "confirmed", alex, 10),
    ];

    const lines = timelineLines(events);

    expect(lines.map((l) => l.text)).toEqual([
      "Sam told how they feel",
      "Alex said “I hear you”",
      "Alex worked through the repair steps",
      "Alex said “we're OK”",
    ]);
    expect(lines[2]?.at).toBe("2026-01-01T10:08:00Z");
  });

  it("a single step stays as it is, and another person or event breaks the run", () => {
    const lines = timelineLines([
      event(1, "step_done", alex, 1),
      event(2, "message", sam, 2),
      event(3, "step_done", alex, 3),
      event(4, "step_undone", alex, 4),
      event(5, "step_done", sam, 5),
    ]);

    expect(lines.map((l) => l.text)).toEqual([
      "Alex did a repair step",
      "Sam sent a message",
      "Alex worked through the repair steps",
      "Sam did a repair step",
    ]);
  });
});
