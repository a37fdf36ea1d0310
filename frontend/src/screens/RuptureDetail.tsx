/**
 * One rupture: the feelings named, what the child asked for, the timeline, messages, the pair's
 * plan, and the actions the viewer may take now (acknowledge, guided repair, confirm / not yet,
 * withdraw, their part of the plan). Either side may be the one making it right (`direction`).
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { FormErrors, Loading, Screen, TextArea, Time, onSubmit, useSubmit } from "../components/ui";
import { api, urls } from "../lib/api";
import { errorsOf } from "../lib/errors";
import { feelingsOf } from "../lib/feelings";
import { can, isOpen, followUpDue, hasConfirmed, hasPlan, otherName, repairerSide, statusLabel } from "../lib/model";
import { planQuestion, wordingFor } from "../lib/repairSteps";
import { href, navigate } from "../lib/router";
import { announce, loadMembers, myOutbox, outbox, sendViaOutbox, useAppState } from "../lib/store";
import { needSentence, timelineLines } from "../lib/timeline";
import type { Plan, Rupture, RuptureMessage, Side } from "../lib/types";
import { uuid } from "../lib/uuid";
import { normaliseHelp } from "../lib/help";
import { HelpList } from "./Safety";
import { t } from "../lib/i18n";
import { ReleaseQuestion } from "../components/ReleaseQuestion";

function sizeWord(size: string): string {
  if (size === "small") return t("flag.size.small");
  if (size === "medium") return t("flag.size.medium");
  if (size === "big") return t("flag.size.big");
  return size;
}

function Messages(props: { rupture: Rupture; canWrite: boolean }): JSX.Element {
  const s = useAppState();
  const id = String(props.rupture.id);
  const [items, setItems] = useState<RuptureMessage[] | null>(null);
  const [body, setBody] = useState("");
  const form = useSubmit(["body"]);
  const pending = myOutbox(s).filter((i) => i.kind === "message" && i.ruptureId === id);

  const load = (): void => {
    api
      .messages(id)
      .then(setItems)
      .catch(() => setItems((x) => x ?? []));
  };
  useEffect(load, [id, pending.length]);

  const send = (): Promise<void> =>
    form.run(async () => {
      const text = body.trim();
      if (!text) return;
      const key = uuid();
      const res = await sendViaOutbox({ key, kind: "message", url: urls.messages(id), body: { body: text }, ruptureId: id, label: t("outbox.message") });
      if (res.failed) {
        await outbox.remove(key);
        form.setErrors(res.failed.failed?.errors ?? []);
        return;
      }
      setBody("");
      if (res.sent) load();
      else announce(t("rupture.savedOffline"));
    });

  return (
    <section aria-labelledby="messages-title">
      <h2 id="messages-title">{t("rupture.messages")}</h2>
      {items === null ? <Loading /> : null}
      {items && items.length === 0 && pending.length === 0 ? <p>{t("rupture.noMessages")}</p> : null}
      <ul class="messages">
        {(items ?? []).map((m) => {
          const mine = m.mine;
          return (
            <li key={String(m.id)} class={mine ? "message mine" : "message"} data-testid="message-item">
              <span class="who">{mine ? t("common.you") : m.author.display_name}</span>
              <p>{m.body}</p>
              <Time iso={m.created_at} />
            </li>
          );
        })}
        {pending.map((p) => (
          <li key={p.key} class="message mine pending" data-testid="message-pending">
            <span class="who">{t("common.you")}</span>
            <p>{(p.body as { body?: string }).body}</p>
            <span class="status status-waiting">{p.failed ? t("rupture.notSent") : t("outbox.title")}</span>
          </li>
        ))}
      </ul>
      {props.canWrite ? (
        <form onSubmit={onSubmit(() => void send())} noValidate>
          <FormErrors messages={form.general} />
          <TextArea label={t("rupture.write")} name="body" value={body} onValue={setBody} errors={form.byField["body"]} testid="message-body" maxLength={4000} />
          <button type="submit" class="button primary" disabled={form.busy || !body.trim()} data-testid="message-send">
            {form.busy ? t("common.sending") : t("rupture.sendMessage")}
          </button>
        </form>
      ) : null}
    </section>
  );
}

/** "Our plans" with the other one of this pair (a former member: the whole family's). */
function plansPath(r: Rupture, side: Side | null): string {
  const otherId = side === "child" ? r.parent.id : side === "parent" ? r.child.id : null;
  const pair = otherId === null || otherId === undefined ? "" : `&${side === "child" ? "parent" : "child"}=${String(otherId)}`;
  return `/plans?family=${String(r.family)}${pair}`;
}

/** The pair's plan: each side's part, "You" for the reader's own. */
function OurPlan(props: { plan: Plan; side: Side | null; names: Record<Side, string> }): JSX.Element {
  const parts = (["parent", "child"] as const).filter((who) => props.plan[who] !== "");
  return (
    <ul class="plan" data-testid="rupture-plan">
      {parts.map((who) => (
        <li key={who} data-testid={`plan-${who}`}>
          <span class="who">{t("rupture.planWho", { name: who === props.side ? t("common.you") : props.names[who] })} </span>
          {props.plan[who]}
        </li>
      ))}
    </ul>
  );
}

/** "What would help next time?", asked of the one who was hurt once the other did their last step. */
function PlanAsk(props: { rupture: Rupture; question: string; onSaved: (r: Rupture) => void }): JSX.Element | null {
  const [words, setWords] = useState("");
  const [skipped, setSkipped] = useState(false);
  const form = useSubmit(["words"]);
  if (skipped) return null;
  const save = (): Promise<void> =>
    form.run(async () => {
      const updated = await api.plan(props.rupture.id, words.trim());
      props.onSaved(updated);
      announce(t("rupture.planAdded"));
    });
  return (
    <form class="card" onSubmit={onSubmit(() => void save())} noValidate data-testid="plan-ask">
      <h2 class="h-inline">{props.question}</h2>
      <FormErrors messages={form.general} />
      <TextArea label={t("rupture.planAnswer")} name="words" value={words} onValue={setWords} errors={form.byField["words"]} testid="plan-words" rows={3} maxLength={500} />
      <div class="row">
        <button type="submit" class="button primary" disabled={form.busy || !words.trim()} data-testid="plan-save">
          {t("rupture.planSave")}
        </button>
        <button type="button" class="button quiet" data-testid="plan-skip" onClick={() => setSkipped(true)}>
          {t("common.notNow")}
        </button>
      </div>
    </form>
  );
}

export default function RuptureDetail(props: { id: string }): JSX.Element {
  const s = useAppState();
  const [r, setR] = useState<Rupture | null>(null);
  const [loadErr, setLoadErr] = useState<string | null>(null);
  const [mode, setMode] = useState<"idle" | "not-yet" | "withdraw">("idle");
  const [reason, setReason] = useState("");
  const [planHelped, setPlanHelped] = useState<boolean | null>(null);
  const act = useSubmit(["reason"]);

  useEffect(() => {
    let live = true;
    setR(null);
    api
      .rupture(props.id)
      .then((x) => live && setR(x))
      .catch((err) => live && setLoadErr(errorsOf(err)[0]?.message ?? t("rupture.loadFailed")));
    return () => {
      live = false;
    };
  }, [props.id]);

  const familyId = r ? String(r.family) : null;
  const members = familyId ? (s.members[familyId] ?? []) : [];
  useEffect(() => {
    if (familyId && !s.members[familyId]) void loadMembers(familyId).catch(() => undefined);
  }, [familyId]);

  if (!r) {
    return (
      <Screen title={t("rupture.loading")} testid="screen-rupture" back={{ to: "/", label: t("common.home") }}>
        {loadErr ? <p role="alert">{loadErr}</p> : <Loading />}
      </Screen>
    );
  }

  if (r.status === "safety_review") {
    // The same neutral view as on Home: no parent's name, feelings, note, timeline or messages.
    const help = normaliseHelp(r.help_resources);
    return (
      <Screen title={t("rupture.gettingHelp")} testid="screen-rupture" back={{ to: "/", label: t("common.home") }}>
        <p class="card" data-testid="rupture-safety">
          {t("safety.reviewWords")} {t("rupture.rightThing")}
        </p>
        <ReleaseQuestion rupture={r} onChange={(x) => setR({ ...r, ...x })} />
        {help.emergency ? (
          <p data-testid="help-emergency">
            <strong>{help.emergency}</strong>
          </p>
        ) : null}
        <section aria-labelledby="help-title">
          <h2 id="help-title">{t("safety.helpTitle")}</h2>
          <HelpList links={help.links} />
        </section>
      </Screen>
    );
  }

  const side = r.my_side;
  const iAmChild = side === "child";
  const childName = iAmChild ? t("common.you") : r.child.display_name;
  const needText = needSentence(r.need, iAmChild ? "child" : "parent", r.child.display_name, r.parent.display_name);
  const other = otherName(r, side);
  const childRepairs = r.direction === "child_repairs";
  const repairer = repairerSide(r);
  const iRepair = side === repairer;
  const names: Record<Side, string> = { parent: r.parent.display_name, child: r.child.display_name };
  const plan = r.plan;
  const lastStepDone = r.repair_steps.find((x) => x.step === "change")?.done ?? false;
  const askPlan = !!side && !iRepair && can(r, "plan") && lastStepDone && plan !== null && plan[side] === "";
  const question = planQuestion(iAmChild ? wordingFor(s.me?.age_band) : "parent", other);
  // A parent reads a young child's feelings in the child's own simple words.
  const childBand = iAmChild ? s.me?.age_band : members.find((m) => m.id === r.child.id)?.age_band;
  const feelings = feelingsOf(r.feelings, s.feelings, childBand);
  const steps = r.repair_steps;
  const doneCount = steps.filter((x) => x.done).length;
  const iConfirmed = hasConfirmed(r, side);
  const otherSide = side === "child" ? "parent" : "child";

  const run = (fn: () => Promise<Rupture>, message: string): Promise<void> =>
    act.run(async () => {
      const updated = await fn();
      setR({ ...r, ...updated });
      setMode("idle");
      announce(message);
    });

  const followUp = (answer: "ok" | "not_really"): Promise<void> =>
    act.run(async () => {
      const shown = await api.followUp(r.id, answer, hasPlan(plan) ? planHelped : null);
      if (String(shown.id) !== String(r.id)) {
        announce(t("rupture.reopened"));
        navigate(`/ruptures/${String(shown.id)}`);
      } else {
        setR({ ...r, ...shown });
        announce(t("rupture.checkedIn"));
      }
    });

  return (
    <Screen title={side ? t("common.youAnd", { name: other }) : other} testid="screen-rupture" back={{ to: "/", label: t("common.home") }}>
      <p>
        <span class={`status status-${r.status}`} data-testid="rupture-status">
          {statusLabel(r.status)}
        </span>
      </p>
      {r.status === "reconnected" ? (
        <p class="card celebrate" data-testid="rupture-celebrate">
          {t("rupture.celebrate")} <span class="emoji" aria-hidden="true">💚</span>
        </p>
      ) : null}
      {childRepairs && !iRepair && isOpen(r.status) ? (
        <p class="note" data-testid="rupture-child-repairs">
          {t("rupture.childRepairs", { name: other })}
        </p>
      ) : null}
      {r.status === "awaiting_confirmation" && iConfirmed ? (
        <p class="note" data-testid="rupture-waiting-other">
          {t("rupture.waitingOther", { name: other })}
        </p>
      ) : null}
      {r.status === "awaiting_confirmation" && side && !iConfirmed && hasConfirmed(r, otherSide) ? (
        <p class="note">{t("rupture.otherConfirmed", { name: other })}</p>
      ) : null}

      <section aria-labelledby="feelings-title">
        <h2 id="feelings-title">
          {childRepairs
            ? iAmChild
              ? t("rupture.feelingsOther", { name: other })
              : t("rupture.feelingsThinks", { name: r.child.display_name })
            : iAmChild
              ? t("rupture.feelingsMine")
              : t("rupture.feelingsChild", { name: childName })}
        </h2>
        {feelings.length ? (
          <ul class="chips plain-chips" data-testid="rupture-feelings">
            {feelings.map((f) => (
              <li key={f.code} class="status">
                {f.emoji ? <span class="emoji" aria-hidden="true">{f.emoji} </span> : null}
                {f.label}
              </li>
            ))}
          </ul>
        ) : (
          <p>{t("rupture.noFeelings")}</p>
        )}
        {r.intensity ? <p>{t("rupture.strength", { n: r.intensity })}</p> : null}
        {r.size ? <p>{t("rupture.size", { size: sizeWord(r.size) })}</p> : null}
        {needText ? <p data-testid="rupture-need">{needText}</p> : null}
        {r.needs_space_until && new Date(r.needs_space_until) > new Date() ? (
          <p class="note" data-testid="rupture-space">
            {iAmChild ? t("rupture.spaceMine") : t("rupture.spaceChild", { name: childName })} <Time iso={r.needs_space_until} />.
          </p>
        ) : null}
        {r.note ? <blockquote class="card">{r.note}</blockquote> : null}
      </section>

      <FormErrors messages={act.general} />
      <div class="stack">
        {can(r, "acknowledge") ? (
          <button type="button" class="button primary big" disabled={act.busy} data-testid="action-acknowledge" onClick={() => void run(() => api.acknowledge(r.id), t("rupture.acknowledged"))}>
            {t("rupture.acknowledge")}
          </button>
        ) : null}
        {can(r, "update_steps") ? (
          <a class="button primary big" href={href(`/ruptures/${String(r.id)}/repair-steps`)} data-testid="action-repair-steps">
            {doneCount === steps.length ? t("rupture.stepsReview") : doneCount ? t("rupture.stepsContinue") : t("rupture.stepsStart")}
          </a>
        ) : null}
        {can(r, "confirm") ? (
          <button type="button" class="button calm big" disabled={act.busy} data-testid="action-confirm" onClick={() => void run(() => api.confirm(r.id), t("rupture.confirmed"))}>
            {t("rupture.confirm")}
          </button>
        ) : null}
        {askPlan ? <PlanAsk rupture={r} question={question} onSaved={(x) => setR({ ...r, ...x })} /> : null}
        {can(r, "follow_up") && followUpDue(r, new Date()) ? (
          <div class="card" data-testid="follow-up">
            <h2 class="h-inline">{t("rupture.followUp")}</h2>
            {plan && hasPlan(plan) ? (
              <fieldset class="choice" data-testid="follow-up-plan">
                <legend>{t("rupture.planHelped")}</legend>
                <OurPlan plan={plan} side={side} names={names} />
                <div class="row">
                  {([[true, t("rupture.helpedYes")], [false, t("rupture.notReally")]] as const).map(([value, label]) => (
                    <span class="chip" key={label}>
                      <input type="radio" name="plan-helped" id={`plan-helped-${String(value)}`} checked={planHelped === value} onChange={() => setPlanHelped(value)} data-testid={`plan-helped-${value ? "yes" : "no"}`} />
                      <label for={`plan-helped-${String(value)}`}>{label}</label>
                    </span>
                  ))}
                </div>
              </fieldset>
            ) : null}
            <div class="row">
              <button type="button" class="button calm" disabled={act.busy} data-testid="follow-up-ok" onClick={() => void followUp("ok")}>
                {t("rupture.weAreOk")}
              </button>
              <button type="button" class="button" disabled={act.busy} data-testid="follow-up-not-really" onClick={() => void followUp("not_really")}>
                {t("rupture.notReally")}
              </button>
            </div>
          </div>
        ) : null}
        {can(r, "not_yet") && mode !== "not-yet" ? (
          <button type="button" class="button big" data-testid="action-not-yet" onClick={() => setMode("not-yet")}>
            {t("rupture.notYet")}
          </button>
        ) : null}
      </div>
      {mode === "not-yet" ? (
        <form class="card" onSubmit={onSubmit(() => void run(() => api.notYet(r.id, reason.trim()), t("rupture.notYetSaid")))} noValidate>
          <TextArea label={t("rupture.why")} name="reason" value={reason} onValue={setReason} errors={act.byField["reason"]} testid="not-yet-reason" />
          <div class="row">
            <button type="submit" class="button primary" disabled={act.busy} data-testid="not-yet-submit">
              {t("rupture.notYetSend")}
            </button>
            <button type="button" class="button quiet" onClick={() => setMode("idle")}>
              {t("common.cancel")}
            </button>
          </div>
        </form>
      ) : null}

      {plan && hasPlan(plan) ? (
        <section aria-labelledby="plan-title">
          <h2 id="plan-title">{t("rupture.planTitle")}</h2>
          <OurPlan plan={plan} side={side} names={names} />
          <p>
            <a href={href(plansPath(r, side))} data-testid="plans-link">
              {t("rupture.allPlans")}
            </a>
          </p>
        </section>
      ) : null}

      {iRepair && doneCount > 0 ? (
        <section aria-labelledby="steps-title">
          <h2 id="steps-title">{t("rupture.soFar")}</h2>
          <ul class="steps" data-testid="repair-steps-progress">
            {steps.map((st) => (
              <li key={String(st.step)}>
                <span aria-hidden="true">{st.done ? "✔ " : "○ "}</span>
                {st.title}
                <span class="visually-hidden"> {st.done ? t("rupture.stepDone") : t("rupture.stepNotYet")}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {r.timeline.length ? (
        <section aria-labelledby="timeline-title">
          <h2 id="timeline-title">{t("rupture.timeline")}</h2>
          <ol class="timeline" data-testid="rupture-timeline">
            {timelineLines(r.timeline).map((line) => (
              <li key={line.key}>
                <Time iso={line.at} />
                {line.text}
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      <Messages rupture={r} canWrite={can(r, "message")} />

      {can(r, "withdraw") ? (
        <section aria-labelledby="withdraw-title">
          <h2 id="withdraw-title">{t("rupture.withdrawTitle")}</h2>
          {mode === "withdraw" ? (
            <div class="card">
              <p>{t("rupture.withdrawBody")}</p>
              <div class="row">
                <button type="button" class="button danger" disabled={act.busy} data-testid="withdraw-confirm" onClick={() => void run(() => api.withdraw(r.id), t("rupture.withdrawn"))}>
                  {t("rupture.withdrawYes")}
                </button>
                <button type="button" class="button quiet" onClick={() => setMode("idle")}>
                  {t("rupture.keepOpen")}
                </button>
              </div>
            </div>
          ) : (
            <button type="button" class="button quiet" data-testid="action-withdraw" onClick={() => setMode("withdraw")}>
              {t("rupture.withdraw")}
            </button>
          )}
        </section>
      ) : null}

      <p>
        <a href={href("/privacy")}>{t("common.whoCanSee")}</a>
      </p>
    </Screen>
  );
}
