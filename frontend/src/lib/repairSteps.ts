/**
 * The question under each guided repair step's private reflection. The step's title and guidance
 * are the server's (`repair_steps[].title`, `.guidance`, from ruptures/repair_guide.py).
 */

import type { AgeBand, RepairStepCode } from "./types";

export function reflectionPrompt(code: RepairStepCode, childName: string): string {
  switch (code) {
    case "calm":
      return "What was going on for you just before it happened?";
    case "acknowledge":
      return "How would you describe what you did, in one sentence?";
    case "responsibility":
      return "What part of this was yours to own?";
    case "validate":
      return `What did you hear from ${childName}?`;
    case "reconnect":
      return "What helped you feel close again?";
    case "change":
      return "What will you try next time?";
  }
}

/** Words for a child: simple under 13, a teen's otherwise (also when their age is unknown). */
export type Wording = "young" | "teen" | "adult";

export function wordingFor(band: AgeBand | null | undefined): Wording {
  if (band === "under_13") return "young";
  return band === "adult" ? "adult" : "teen";
}

/** The question under a child's own repair step (acknowledge, responsibility, validate, change). */
export function childReflectionPrompt(code: RepairStepCode, parentName: string, wording: Wording): string {
  const young = wording === "young";
  switch (code) {
    case "acknowledge":
      return young ? "What happened? Say it in a few words." : "What happened, in a sentence or two?";
    case "responsibility":
      return young ? "How will you say sorry?" : "How will you say sorry, without a “but”?";
    case "validate":
      return young ? `How do you think ${parentName} felt?` : `How do you think it felt for ${parentName}?`;
    default:
      return young ? "What will you try next time?" : "What will you try differently next time?";
  }
}

/** "What would help next time?", asked of the one who was hurt, in words for their age. */
export function planQuestion(wording: Wording | "parent", otherName: string): string {
  switch (wording) {
    case "young":
      return `What would help you next time ${otherName} and you get upset?`;
    case "teen":
      return `What would help next time, from ${otherName} or from you?`;
    default:
      return "What would help next time?";
  }
}

/** The label for the one making it right's own part of the plan, on their last step. */
export function myPlanLabel(wording: Wording | "parent", otherName: string): string {
  return wording === "young"
    ? `What will you do next time? ${otherName} will see this.`
    : `What you'll do differently: ${otherName} will see this, as your part of your plan together.`;
}
