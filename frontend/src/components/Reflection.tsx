/**
 * The evening reflection, a parent's own opt-in nudge: its settings (on/off, the time), the
 * one-time suggestion after their first repair, and what the server says about it (`ask_pause`,
 * `suggest`); nothing here decides either.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api";
import { announce } from "../lib/store";
import type { Reflection } from "../lib/types";
import { Checkbox, Field, FormErrors, onSubmit, useSubmit } from "./ui";

export const REFLECTION_QUESTION = "Was there a moment today you'd like to make right?";

export function ReflectionSettings(): JSX.Element | null {
  const [state, setState] = useState<Reflection | null>(null);
  const [enabled, setEnabled] = useState(false);
  const [time, setTime] = useState("20:00");
  const form = useSubmit(["enabled", "time"]);
  useEffect(() => {
    api
      .reflection()
      .then((r) => {
        setState(r);
        setEnabled(r.enabled);
        setTime(r.time);
      })
      .catch(() => undefined);
  }, []);
  if (!state) return null;
  const save = (): Promise<void> =>
    form.run(async () => {
      const r = await api.setReflection({ enabled, time });
      setState(r);
      announce(r.enabled ? `Evening reflection on, at ${r.time}.` : "Evening reflection off.");
    });
  return (
    <section aria-labelledby="reflection-title">
      <h2 id="reflection-title">Evening reflection</h2>
      <form onSubmit={onSubmit(() => void save())} noValidate>
        <FormErrors messages={form.general} />
        <Checkbox
          label="Ask me each evening"
          checked={enabled}
          onChange={setEnabled}
          hint={`“${REFLECTION_QUESTION}” Never during your quiet hours.`}
          testid="reflection-enabled"
        />
        <Field label="At" name="time" type="time" value={time} onValue={setTime} errors={form.byField["time"]} testid="reflection-time" />
        <button type="submit" class="button" disabled={form.busy} data-testid="save-reflection">
          {form.busy ? "Saving…" : "Save reflection"}
        </button>
      </form>
    </section>
  );
}

/** Shown once, after the parent's first repair, until they answer either way. */
export function ReflectionSuggestion(): JSX.Element | null {
  const [state, setState] = useState<Reflection | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.reflection().then(setState).catch(() => undefined);
  }, []);
  if (!state?.suggest) return null;
  const answer = async (enabled: boolean): Promise<void> => {
    setBusy(true);
    try {
      const r = await api.setReflection({ enabled });
      setState(r);
      announce(r.enabled ? `We'll ask each evening at ${r.time}.` : "No evening reflection.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="suggest-title" data-testid="reflection-suggestion">
      <h2 id="suggest-title">You made a repair. That matters.</h2>
      <p>Would a short question each evening help? “{REFLECTION_QUESTION}” You can change the time in family settings.</p>
      <div class="stack">
        <button type="button" class="button primary" disabled={busy} onClick={() => void answer(true)} data-testid="reflection-suggestion-yes">
          Yes, ask me at {state.time}
        </button>
        <button type="button" class="button quiet" disabled={busy} onClick={() => void answer(false)} data-testid="reflection-suggestion-no">
          No thanks
        </button>
      </div>
    </section>
  );
}
