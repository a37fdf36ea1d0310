/**
 * The child's flag flow: (1) who, (2) how I feel, (3) send. Pure state transitions so the
 * "three taps from home" promise is tested, not hoped for.
 *
 * Home shows one button per parent ("Tell Mum"), or a single button when there is one parent,
 * so the "who" tap happens on home and the flow opens on "feel". Everything on the send screen
 * beyond the Send button (intensity, size, need, note, space) is optional.
 */

import type { FlagBody, Id, Need, Size } from "./types";

export type FlagStep = "who" | "feel" | "send";

export interface ParentOption {
  id: Id;
  display_name: string;
}

export interface FlagDraft {
  familyId: Id;
  parentId: Id | null;
  feelings: string[];
  intensity: number | null;
  size: Size | null;
  need: Need | null;
  note: string;
  spaceMinutes: number | null;
}

export interface FlagState {
  step: FlagStep;
  draft: FlagDraft;
}

export const DEFAULT_INTENSITY = 3;

export function startFlag(familyId: Id, parents: readonly ParentOption[], preselected?: Id | null): FlagState {
  let parentId: Id | null = null;
  if (preselected !== undefined && preselected !== null && parents.some((p) => String(p.id) === String(preselected))) {
    parentId = preselected;
  } else if (parents.length === 1 && parents[0]) {
    parentId = parents[0].id;
  }
  return {
    step: parentId === null ? "who" : "feel",
    draft: {
      familyId,
      parentId,
      feelings: [],
      intensity: null,
      size: null,
      need: null,
      note: "",
      spaceMinutes: null,
    },
  };
}

export function chooseParent(state: FlagState, parentId: Id): FlagState {
  return { step: "feel", draft: { ...state.draft, parentId } };
}

/** One tap on a feeling picks it and moves on to the send screen. */
export function chooseFeeling(state: FlagState, code: string): FlagState {
  const feelings = state.draft.feelings.includes(code) ? state.draft.feelings : [code, ...state.draft.feelings];
  return { step: "send", draft: { ...state.draft, feelings } };
}

/** On the send screen, more feelings can be added or removed (never fewer than one). */
export function toggleFeeling(state: FlagState, code: string): FlagState {
  const has = state.draft.feelings.includes(code);
  if (has && state.draft.feelings.length === 1) return state;
  const feelings = has ? state.draft.feelings.filter((c) => c !== code) : [...state.draft.feelings, code];
  return { ...state, draft: { ...state.draft, feelings } };
}

export function update(state: FlagState, patch: Partial<Omit<FlagDraft, "familyId" | "feelings">>): FlagState {
  return { ...state, draft: { ...state.draft, ...patch } };
}

export function back(state: FlagState, parentCount: number): FlagState | null {
  if (state.step === "send") return { ...state, step: "feel" };
  if (state.step === "feel" && parentCount > 1) return { ...state, step: "who" };
  return null;
}

export function canSend(state: FlagState): boolean {
  return state.draft.parentId !== null && state.draft.feelings.length > 0;
}

/** What POST /api/v1/ruptures/ takes (the schema's `FlagInRequest`). */
export type FlagPayload = FlagBody;

export function buildFlagPayload(state: FlagState, now: Date): FlagPayload {
  const d = state.draft;
  if (d.parentId === null || d.feelings.length === 0) throw new Error("flag is not ready to send");
  const payload: FlagPayload = {
    family: Number(d.familyId),
    parent: Number(d.parentId),
    feelings: [...d.feelings],
    intensity: d.intensity ?? DEFAULT_INTENSITY,
    occurred_at: now.toISOString(),
    unsafe: false,
  };
  if (d.size) payload.size = d.size;
  if (d.need) payload.need = d.need;
  const note = d.note.trim();
  if (note) payload.note = note;
  if (d.spaceMinutes) payload.needs_space_until = new Date(now.getTime() + d.spaceMinutes * 60_000).toISOString();
  return payload;
}

/** Named when a child presses "I feel unsafe" before choosing a feeling (the server needs one). */
export const UNSAFE_DEFAULT_FEELING = "scared";

/**
 * The unsafe flag sends whatever was chosen so far. The server wants a parent and at least one
 * feeling on every child flag (the parent is never told of an unsafe one), so the caller passes a
 * fallback parent and "scared" stands in when no feeling was picked.
 */
export function buildUnsafePayload(
  state: FlagState | null,
  familyId: Id,
  now: Date,
  fallbackParent: Id | null = null,
): FlagBody {
  const d = state?.draft;
  const payload: FlagBody = {
    family: Number(familyId),
    unsafe: true,
    feelings: d?.feelings.length ? [...d.feelings] : [UNSAFE_DEFAULT_FEELING],
    intensity: d?.intensity ?? 5,
    occurred_at: now.toISOString(),
  };
  const parent = d?.parentId ?? fallbackParent;
  if (parent !== null && parent !== undefined) payload.parent = Number(parent);
  const note = d?.note.trim();
  if (note) payload.note = note;
  return payload;
}

/**
 * Taps from home to a sent flag with only the required choices: the home button (which already
 * says who when there are several parents), one feeling, Send.
 */
export function simulateMinimalFlow(familyId: Id, parents: readonly ParentOption[], feeling: string): {
  taps: number;
  state: FlagState;
} {
  // Tap 1: the home button. With several parents home shows one per parent, so it carries the id.
  const homeChoice = parents.length > 1 ? parents[0]?.id : undefined;
  let state = startFlag(familyId, parents, homeChoice);
  let taps = 1;
  if (state.step === "who" && parents[0]) {
    state = chooseParent(state, parents[0].id);
    taps += 1;
  }
  state = chooseFeeling(state, feeling); // tap 2
  taps += 1;
  if (canSend(state)) taps += 1; // tap 3: Send
  return { taps, state };
}
