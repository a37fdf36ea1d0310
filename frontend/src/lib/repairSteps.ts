/**
 * The question under each guided repair step's private reflection. The step's title and guidance
 * are the server's (`repair_steps[].title`, `.guidance`, from ruptures/repair_guide.py).
 */

import type { AgeBand, RepairStepCode } from "./types";
import { t } from "./i18n";

export function reflectionPrompt(code: RepairStepCode, childName: string): string {
  switch (code) {
    case "calm":
      return t("reflect.calm");
    case "acknowledge":
      return t("reflect.acknowledge");
    case "responsibility":
      return t("reflect.responsibility");
    case "validate":
      return t("reflect.validate", { child: childName });
    case "reconnect":
      return t("reflect.reconnect");
    case "change":
      return t("reflect.change");
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
      return young ? t("reflectChild.acknowledgeYoung") : t("reflectChild.acknowledge");
    case "responsibility":
      return young ? t("reflectChild.responsibilityYoung") : t("reflectChild.responsibility");
    case "validate":
      return young ? t("reflectChild.validateYoung", { parent: parentName }) : t("reflectChild.validate", { parent: parentName });
    default:
      return young ? t("reflectChild.changeYoung") : t("reflectChild.change");
  }
}

/** "What would help next time?", asked of the one who was hurt, in words for their age. */
export function planQuestion(wording: Wording | "parent", otherName: string): string {
  switch (wording) {
    case "young":
      return t("plan.questionYoung", { other: otherName });
    case "teen":
      return t("plan.questionTeen", { other: otherName });
    default:
      return t("plan.question");
  }
}

/** The label for the one making it right's own part of the plan, on their last step. */
export function myPlanLabel(wording: Wording | "parent", otherName: string): string {
  return wording === "young" ? t("plan.myPartYoung", { other: otherName }) : t("plan.myPart", { other: otherName });
}
