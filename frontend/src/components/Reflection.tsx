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
import { t } from "../lib/i18n";


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
      announce(r.enabled ? t("reflection.on", { time: r.time }) : t("reflection.off"));
    });
  return (
    <section aria-labelledby="reflection-title">
      <h2 id="reflection-title">{t("reflection.title")}</h2>
      <form onSubmit={onSubmit(() => void save())} noValidate>
        <FormErrors messages={form.general} />
        <Checkbox
          label={t("reflection.ask")}
          checked={enabled}
          onChange={setEnabled}
          hint={t("reflection.hint", { question: t("reflection.question") })}
          testid="reflection-enabled"
        />
        <Field label={t("reflection.at")} name="time" type="time" value={time} onValue={setTime} errors={form.byField["time"]} testid="reflection-time" />
        <button type="submit" class="button" disabled={form.busy} data-testid="save-reflection">
          {form.busy ? t("common.saving") : t("reflection.save")}
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
      announce(r.enabled ? t("reflection.willAsk", { time: r.time }) : t("reflection.none"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="suggest-title" data-testid="reflection-suggestion">
      <h2 id="suggest-title">{t("reflection.suggestTitle")}</h2>
      <p>{t("reflection.suggest", { question: t("reflection.question") })}</p>
      <div class="stack">
        <button type="button" class="button primary" disabled={busy} onClick={() => void answer(true)} data-testid="reflection-suggestion-yes">
          {t("reflection.yesAt", { time: state.time })}
        </button>
        <button type="button" class="button quiet" disabled={busy} onClick={() => void answer(false)} data-testid="reflection-suggestion-no">
          {t("reflection.noThanks")}
        </button>
      </div>
    </section>
  );
}
