/**
 * Guided repair: the steps of whoever makes it right, one screen at a time
 * (`#/ruptures/{id}/repair-steps/{n}`): a parent's six, or a child's four toward a parent, titled and
 * guided in the server's words for them. Each has an optional private reflection only they see;
 * the last ("what I'll do differently") also asks for their part of the pair's plan, which the
 * other one sees. Each "Done" saves that step.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { FormErrors, Loading, Screen, TextArea, onSubmit, useSubmit } from "../components/ui";
import { api } from "../lib/api";
import { errorsOf } from "../lib/errors";
import { otherName } from "../lib/model";
import { childReflectionPrompt, myPlanLabel, reflectionPrompt, wordingFor } from "../lib/repairSteps";
import { navigate } from "../lib/router";
import { announce, useAppState } from "../lib/store";
import type { Family, Rupture } from "../lib/types";
import { t } from "../lib/i18n";

function CalmTimer(props: { minutes: number }): JSX.Element {
  const [left, setLeft] = useState<number | null>(null);
  useEffect(() => {
    if (left === null || left <= 0) return;
    const timer = setTimeout(() => setLeft(left - 1), 1000);
    return () => clearTimeout(timer);
  }, [left]);
  if (left === null) {
    return (
      <button type="button" class="button calm" data-testid="calm-timer-start" onClick={() => setLeft(props.minutes * 60)}>
        {t("steps.timerStart", { count: props.minutes })}
      </button>
    );
  }
  const mm = Math.floor(left / 60);
  const ss = String(left % 60).padStart(2, "0");
  return (
    <div>
      <p class="timer" aria-hidden="true">
        {mm}:{ss}
      </p>
      <p class="visually-hidden" role="status">
        {left === 0 ? t("steps.timeUp") : ""}
      </p>
      {left === 0 ? <p>{t("steps.timeUp")}</p> : null}
      <button type="button" class="button quiet" onClick={() => setLeft(null)}>
        {t("steps.timerStop")}
      </button>
    </div>
  );
}

export default function RepairSteps(props: { id: string; step: string }): JSX.Element {
  const s = useAppState();
  const [r, setR] = useState<Rupture | null>(null);
  const [family, setFamily] = useState<Family | null>(null);
  const [loadErr, setLoadErr] = useState<string | null>(null);
  const [reflection, setReflection] = useState("");
  const [planWords, setPlanWords] = useState("");
  const form = useSubmit(["reflection", "steps", "words"]);

  useEffect(() => {
    api
      .rupture(props.id)
      .then((x) => {
        setR(x);
        void api.family(x.family).then(setFamily).catch(() => undefined);
      })
      .catch((err) => setLoadErr(errorsOf(err)[0]?.message ?? t("rupture.loadFailed")));
  }, [props.id]);

  const steps = r ? r.repair_steps : [];
  const firstOpen = steps.findIndex((x) => !x.done);
  const requested = Number.parseInt(props.step, 10);
  const index = Number.isFinite(requested) && requested >= 1 && requested <= steps.length ? requested - 1 : Math.max(0, firstOpen);
  const saved = steps[index];
  const mine = r?.my_side ? (r.plan?.[r.my_side] ?? "") : "";

  useEffect(() => {
    setReflection(saved?.reflection ?? "");
    setPlanWords(mine);
  }, [props.id, index, r !== null]);

  if (!r) {
    return (
      <Screen title={t("steps.title")} testid="screen-repair-steps">
        {loadErr ? <p role="alert">{loadErr}</p> : <Loading />}
      </Screen>
    );
  }

  const other = otherName(r, r.my_side);
  const childRepairs = r.direction === "child_repairs";
  const wording = childRepairs ? wordingFor(s.me?.age_band) : "parent";
  // A family may skip the wait before the prompt (0): the calm step still suggests a pause.
  const calmMinutes = family && family.calm_down_minutes > 0 ? family.calm_down_minutes : 10;
  const step = steps[index];
  if (!step) return <Loading />;
  const last = index === steps.length - 1;
  const asksPlan = step.step === "change";
  // A child's last step is their part of the plan itself; a parent keeps a private note too.
  const private_ = !(childRepairs && asksPlan);
  const prompt = childRepairs ? childReflectionPrompt(step.step, other, wordingFor(s.me?.age_band)) : reflectionPrompt(step.step, other);

  const done = (): Promise<void> =>
    form.run(async () => {
      const change = private_ ? { step: step.step, done: true, reflection: reflection.trim() } : { step: step.step, done: true };
      let updated = await api.repairSteps(r.id, [change]);
      const words = planWords.trim();
      if (asksPlan && words && words !== mine) updated = await api.plan(r.id, words);
      setR({ ...r, ...updated });
      if (last) {
        announce(t("steps.allDone"));
        navigate(`/ruptures/${String(r.id)}`, { replace: true });
      } else {
        navigate(`/ruptures/${String(r.id)}/repair-steps/${index + 2}`);
      }
    });

  return (
    <Screen
      title={t("steps.stepTitle", { n: index + 1, total: steps.length, title: step.title })}
      testid="screen-repair-steps"
      back={{ to: `/ruptures/${String(r.id)}`, label: t("steps.backTo", { name: other }) }}
    >
      <ol class="steps-dots visually-hidden">
        {steps.map((c) => (
          <li key={c.step}>
            {c.title}
            {c.done ? ` ${t("rupture.stepDone")}` : ""}
          </li>
        ))}
      </ol>
      <p class="lead">{step.guidance}</p>
      {step.step === "calm" ? <CalmTimer minutes={calmMinutes} /> : null}
      <form onSubmit={onSubmit(() => void done())} noValidate>
        <FormErrors messages={form.general} />
        {private_ ? (
          <TextArea
            label={t("steps.reflectionLabel", { prompt })}
            hint={t("steps.reflectionHint")}
            name="reflection"
            value={reflection}
            onValue={setReflection}
            errors={form.byField["reflection"]}
            testid="repair-steps-reflection"
            rows={4}
            maxLength={2000}
          />
        ) : null}
        {asksPlan ? (
          <TextArea
            label={t("steps.optional", { label: myPlanLabel(wording, other) })}
            hint={t("steps.planHint", { name: other })}
            name="words"
            value={planWords}
            onValue={setPlanWords}
            errors={form.byField["words"]}
            testid="repair-steps-plan"
            rows={3}
            maxLength={500}
          />
        ) : null}
        <div class="stack">
          <button type="submit" class="button primary big" disabled={form.busy} data-testid="repair-steps-next">
            {form.busy ? t("common.saving") : last ? t("steps.finish") : t("steps.next")}
          </button>
          {index > 0 ? (
            <button type="button" class="button quiet" data-testid="repair-steps-back" onClick={() => navigate(`/ruptures/${String(r.id)}/repair-steps/${index}`)}>
              {t("steps.previous")}
            </button>
          ) : null}
        </div>
      </form>
    </Screen>
  );
}
