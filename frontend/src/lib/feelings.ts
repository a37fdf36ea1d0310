/**
 * Which feeling words a person sees. Young children get a short list of big emoji with simple
 * words; older children, teens and adults get the fuller vocabulary from /api/v1/feelings/.
 *
 * The server's age bands are normalised to four: young, child (8-12), teen (13-17) and adult. Our
 * server's `under_13` is "young" (its simple-words subset is for children under 13).
 *
 * The server's vocabulary is `{code, emoji, label, label_young, young}`: young readers get only
 * the `young: true` words, in `label_young`; everyone else gets every word in `label`.
 * Also understood, for a finer vocabulary later: `labels` keyed by band (a feeling is offered to
 * a band when it has a label for that band or a younger one, shown with the closest such label)
 * and an explicit `age_bands` list, which wins.
 */

import type { FeelingDef, FeelingRef } from "./types";

export const BANDS = ["young", "child", "teen", "adult"] as const;
export type Band = (typeof BANDS)[number];

export interface Feeling {
  code: string;
  emoji: string;
  label: string;
}

const WORDS: Record<string, Band> = {
  under_13: "young",
  unknown: "adult",
  young: "young",
  little: "young",
  small: "young",
  early: "young",
  early_years: "young",
  preschool: "young",
  child: "child",
  children: "child",
  kid: "child",
  middle: "child",
  tween: "child",
  preteen: "child",
  teen: "teen",
  teens: "teen",
  teenager: "teen",
  adolescent: "teen",
  adult: "adult",
  adults: "adult",
  parent: "adult",
  grown_up: "adult",
};

/** Map whatever band string the server uses ("under_8", "8-12", "13_17", "teen", null...) to a Band. */
export function normaliseBand(raw: string | null | undefined): Band {
  if (!raw) return "adult";
  const s = raw.trim().toLowerCase().replace(/[\s-]+/g, "_");
  const word = WORDS[s];
  if (word) return word;
  const nums = (s.match(/\d+/g) ?? []).map(Number);
  if (nums.length === 0) return "adult";
  if (s.includes("plus") || s.endsWith("+") || s.startsWith("over")) {
    const lo = nums[0] ?? 18;
    return lo >= 18 ? "adult" : lo >= 13 ? "teen" : lo >= 8 ? "child" : "young";
  }
  // "under_8" means up to 7; a range "8_12" is read by its upper end.
  const hi = s.startsWith("under") ? (nums[0] ?? 8) - 1 : Math.max(...nums);
  if (hi <= 7) return "young";
  if (hi <= 12) return "child";
  if (hi <= 17) return "teen";
  return "adult";
}

export function isYoung(band: Band): boolean {
  return band === "young";
}

function rank(band: Band): number {
  return BANDS.indexOf(band);
}

/** The labels of a feeling keyed by normalised band ("under_8" becomes "young"). */
function labelsByBand(def: FeelingDef): Partial<Record<Band, string>> {
  const out: Partial<Record<Band, string>> = {};
  for (const [key, label] of Object.entries(def.labels ?? {})) {
    if (typeof label === "string" && label.trim()) out[normaliseBand(key)] ??= label.trim();
  }
  return out;
}

/** The vocabulary for a reader of `band`, in the server's order. */
export function vocabularyFor(defs: readonly FeelingDef[], band: Band): Feeling[] {
  const out: Feeling[] = [];
  for (const def of defs) {
    if (!def || typeof def.code !== "string") continue;
    if (typeof def.young === "boolean" && !def.labels && !Array.isArray(def.age_bands)) {
      // The server's shape.
      if (band === "young" && !def.young) continue;
      const simple = band === "young" || band === "child";
      const label = (simple ? def.label_young : def.label) ?? def.label ?? def.label_young ?? def.code.replace(/_/g, " ");
      out.push({ code: def.code, emoji: def.emoji ?? "", label });
      continue;
    }
    const labels = labelsByBand(def);
    const hasBandLabels = Object.keys(labels).length > 0;
    let label: string | undefined;

    if (Array.isArray(def.age_bands)) {
      if (!def.age_bands.map(normaliseBand).includes(band)) continue;
    }
    if (hasBandLabels) {
      for (let i = rank(band); i >= 0 && !label; i--) label = labels[BANDS[i] as Band];
      if (!label && Array.isArray(def.age_bands)) {
        // Explicitly offered to this band but only labelled for older readers: use the nearest.
        for (let i = rank(band) + 1; i < BANDS.length && !label; i++) label = labels[BANDS[i] as Band];
      }
      if (!label) continue;
    } else {
      // A flat vocabulary: young children only get it when the server marks words for them.
      if (band === "young" && !Array.isArray(def.age_bands)) continue;
      label = def.label ?? def.code.replace(/_/g, " ");
    }
    out.push({ code: def.code, emoji: def.emoji ?? "", label });
  }
  // A flat vocabulary with no words marked for young children still has to offer something.
  if (out.length === 0 && band === "young") return vocabularyFor(defs, "child").slice(0, 8);
  return out;
}

/** Label lookup for naming feelings on a rupture (the reader's band, then any label). */
export function feelingLabel(defs: readonly FeelingDef[], code: string, band: Band): Feeling {
  const found = vocabularyFor(defs, band).find((f) => f.code === code);
  if (found) return found;
  const def = defs.find((d) => d.code === code);
  const any = def ? (Object.values(def.labels ?? {})[0] ?? def.label ?? def.label_young) : undefined;
  return { code, emoji: def?.emoji ?? "", label: any ?? code.replace(/_/g, " ") };
}

/**
 * The feelings on a rupture, in the reader's words. The server embeds `{code, label, emoji}`
 * (its adult words); with the vocabulary loaded, a young child sees their own simple words.
 */
export function feelingsOf(refs: readonly FeelingRef[] | null | undefined, defs: readonly FeelingDef[], band: Band): Feeling[] {
  return (refs ?? []).map((ref) => {
    const code = typeof ref === "string" ? ref : ref.code;
    if (defs.some((d) => d.code === code)) return feelingLabel(defs, code, band);
    if (typeof ref === "string") return feelingLabel(defs, ref, band);
    return { code, emoji: ref.emoji ?? "", label: ref.label ?? code.replace(/_/g, " ") };
  });
}
