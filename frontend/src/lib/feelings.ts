/**
 * Which feeling words a person sees. The server's vocabulary (/api/v1/feelings/) is
 * `{code, emoji, label, label_young, young}`: a child under 13 (`age_band` `under_13`) gets the
 * big-emoji screen with only the `young` words, in `label_young`; everyone else every word, in
 * `label`.
 */

import type { AgeBand, FeelingDef, FeelingRef } from "./types";

export interface Feeling {
  code: string;
  emoji: string;
  label: string;
}

/** Only children under 13 get the simple screen. */
export function isYoung(band: AgeBand | null | undefined): boolean {
  return band === "under_13";
}

/**
 * The vocabulary for a reader of `band`, in the server's order; a child under 8 (`youngChild`, the
 * server's `young_child`) gets the six `little` pictures.
 */
export function vocabularyFor(defs: readonly FeelingDef[], band: AgeBand | null | undefined, youngChild = false): Feeling[] {
  const young = youngChild || isYoung(band);
  return defs
    .filter((def) => (youngChild ? def.little : !young || def.young))
    .map((def) => ({ code: def.code, emoji: def.emoji, label: young ? def.label_young : def.label }));
}

/**
 * The feelings on a rupture, in the reader's words. The server names them `{code, label, emoji}`
 * in its fuller words; with the vocabulary loaded, a young child sees their own simple words.
 */
export function feelingsOf(refs: readonly FeelingRef[], defs: readonly FeelingDef[], band: AgeBand | null | undefined): Feeling[] {
  return refs.map((ref) => {
    const def = isYoung(band) ? defs.find((d) => d.code === ref.code) : undefined;
    return def ? { code: ref.code, emoji: def.emoji, label: def.label_young } : { code: ref.code, emoji: ref.emoji, label: ref.label };
  });
}
