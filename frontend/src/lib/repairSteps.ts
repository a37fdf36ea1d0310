/**
 * The question under each guided repair step's private reflection. The step's title and guidance
 * are the server's (`repair_steps[].title`, `.guidance`, from ruptures/repair_guide.py).
 */

import type { RepairStepCode } from "./types";

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
