/** The six repair steps in order, with the words a parent sees on each guided screen. */

import type { RepairStepCode } from "./types";

export interface StepCopy {
  code: RepairStepCode;
  title: string;
  guidance: string[];
  example?: string;
  reflectionPrompt: string;
}

export function stepCopy(childName: string, calmMinutes: number): StepCopy[] {
  return [
    {
      code: "calm",
      title: "Calm your body first",
      guidance: [
        `Take about ${calmMinutes} minutes before you talk. Slow breaths, a glass of water, a walk round the room.`,
        "You do not need to fix anything yet. Coming back calm is the first part of the repair.",
      ],
      reflectionPrompt: "What was going on for you just before it happened?",
    },
    {
      code: "acknowledge",
      title: "Name what happened",
      guidance: [`Tell ${childName} plainly what you did, without “but”.`],
      example: "“I yelled at you when the milk spilled.”",
      reflectionPrompt: "How would you describe what you did, in one sentence?",
    },
    {
      code: "responsibility",
      title: "Take responsibility",
      guidance: ["It was your job to stay in charge of your feelings, not theirs. Say it was not their fault."],
      example: "“That was not OK. It was not your fault.”",
      reflectionPrompt: "What part of this was yours to own?",
    },
    {
      code: "validate",
      title: "Make room for their feelings",
      guidance: [`Listen. Let ${childName} tell you how it felt, and say back what you hear. Do not explain or defend yet.`],
      example: "“You felt scared and sad. That makes sense.”",
      reflectionPrompt: `What did you hear from ${childName}?`,
    },
    {
      code: "reconnect",
      title: "Reconnect",
      guidance: [`Offer closeness in a way ${childName} likes: a hug, time together, a quiet moment. Let them choose.`],
      reflectionPrompt: "What helped you feel close again?",
    },
    {
      code: "change",
      title: "Plan one small change",
      guidance: ["Share one thing you will try next time you feel that way."],
      example: "“Next time I feel angry, I will take a break before I talk.”",
      reflectionPrompt: "What will you try next time?",
    },
  ];
}
