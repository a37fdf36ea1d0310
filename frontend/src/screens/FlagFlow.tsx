/**
 * The child's flag: (1) who — usually already chosen on home, (2) how I feel, (3) send. The
 * optional details sit under the Send button. "I feel unsafe" is on every step.
 */

import type { ComponentChildren, JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { ReadAloud } from "../components/ReadAloud";
import { Choice, FormErrors, Loading, Screen, TextArea, type Option } from "../components/ui";
import { errorsOf } from "../lib/errors";
import { formatList, t } from "../lib/i18n";
import { urls } from "../lib/api";
import { isYoung, vocabularyFor, type Feeling } from "../lib/feelings";
import {
  back,
  buildFlagPayload,
  canSend,
  chooseFeeling,
  chooseParent,
  startFlag,
  toggleFeeling,
  update,
  type FlagState,
} from "../lib/flagFlow";
import { parentsOf, primaryFamily } from "../lib/model";
import { href, navigate } from "../lib/router";
import { loadFeelings, loadMembers, outbox, sendViaOutbox, useAppState } from "../lib/store";
import type { AgeBand, Id, Need, Size } from "../lib/types";
import { uuid } from "../lib/uuid";
import { startUnsafe } from "./Safety";

function sizeOptions(young: boolean): Option<Size>[] {
  return [
    { value: "small", label: t("flag.size.small"), emoji: "🤏" },
    { value: "medium", label: t("flag.size.medium"), emoji: "✋" },
    { value: "big", label: young ? t("flag.size.bigYoung") : t("flag.size.big"), emoji: "🙌" },
  ];
}

function needOptions(young: boolean): Option<Need>[] {
  return [
    { value: "comfort", label: young ? t("flag.need.comfortYoung") : t("flag.need.comfort"), emoji: "🤗" },
    { value: "space", label: young ? t("flag.need.spaceYoung") : t("flag.need.space"), emoji: "🌙" },
    { value: "talk", label: young ? t("flag.need.talkYoung") : t("flag.need.talk"), emoji: "💬" },
    { value: "try_again", label: young ? t("flag.need.tryAgainYoung") : t("flag.need.tryAgain"), emoji: "🔁" },
  ];
}

function intensityOptions(): Option<"1" | "2" | "3" | "4" | "5">[] {
  return [
    { value: "1", label: t("flag.intensity.1") },
    { value: "2", label: t("flag.intensity.2") },
    { value: "3", label: t("flag.intensity.3") },
    { value: "4", label: t("flag.intensity.4") },
    { value: "5", label: t("flag.intensity.5") },
  ];
}

function spaceOptions(): Option<"15" | "30" | "60" | "120">[] {
  return [
    { value: "15", label: t("flag.space.minutes", { count: 15 }) },
    { value: "30", label: t("flag.space.minutes", { count: 30 }) },
    { value: "60", label: t("flag.space.hours", { count: 1 }) },
    { value: "120", label: t("flag.space.hours", { count: 2 }) },
  ];
}

function FeelingGrid(props: {
  feelings: Feeling[];
  young: boolean;
  little: boolean;
  onPick: (code: string) => void;
}): JSX.Element {
  const kind = props.little ? "feelings feelings-young feelings-little" : props.young ? "feelings feelings-young" : "feelings";
  return (
    <ul class={kind}>
      {props.feelings.map((f) => (
        <li key={f.code} class={props.little ? "feeling-with-voice" : undefined}>
          <button type="button" class="feeling" data-testid={`feeling-${f.code}`} onClick={() => props.onPick(f.code)}>
            {f.emoji ? (
              <span class="emoji" aria-hidden="true">
                {f.emoji}
              </span>
            ) : null}
            <span class="feeling-label">{f.label}</span>
          </button>
          {props.little ? <ReadAloud text={f.label} label={t("common.hear", { words: f.label })} testid={`hear-${f.code}`} /> : null}
        </li>
      ))}
    </ul>
  );
}

function UnsafeBar(props: {
  flag: FlagState | null;
  familyId: string;
  fallbackParent: Id | null;
  children?: ComponentChildren;
  little?: boolean;
}): JSX.Element {
  return (
    <div class="action-bar">
      {props.children}
      <button type="button" class="button unsafe" data-testid="unsafe-button" onClick={() => startUnsafe(props.flag, props.familyId, props.fallbackParent)}>
        {props.little ? <span class="emoji" aria-hidden="true">🛟 </span> : null}
        {t("common.unsafe")}
      </button>
      <a href={href("/privacy")} data-testid="privacy-link">
        {t("common.whoCanSee")}
      </a>
    </div>
  );
}

function Optional(props: {
  state: FlagState;
  setState: (s: FlagState) => void;
  vocab: Feeling[];
  band: AgeBand | undefined;
}): JSX.Element {
  const { state, setState, vocab } = props;
  const young = isYoung(props.band);
  const d = state.draft;
  return (
    <section aria-labelledby="more-title" class="optional">
      <h2 id="more-title">{t("flag.more")}</h2>
      <fieldset class="choice">
        <legend>{t("flag.moreFeelings")}</legend>
        <div class="chips">
          {vocab.map((f) => {
            const id = `more-${f.code}`;
            return (
              <span class="chip" key={f.code}>
                <input
                  type="checkbox"
                  id={id}
                  checked={d.feelings.includes(f.code)}
                  onChange={() => setState(toggleFeeling(state, f.code))}
                  data-testid={`flag-more-${f.code}`}
                />
                <label for={id}>
                  {f.emoji ? (
                    <span class="emoji" aria-hidden="true">
                      {f.emoji}
                    </span>
                  ) : null}
                  {f.label}
                </label>
              </span>
            );
          })}
        </div>
      </fieldset>
      <Choice
        legend={young ? t("flag.intensityYoung") : t("flag.intensity.legend")}
        name="intensity"
        options={intensityOptions()}
        value={d.intensity === null ? null : (String(d.intensity) as "1")}
        onChange={(v) => setState(update(state, { intensity: v === null ? null : Number(v) }))}
        testidPrefix="flag-intensity"
      />
      <Choice
        legend={t("flag.size.legend")}
        name="size"
        options={sizeOptions(young)}
        value={d.size}
        onChange={(v) => setState(update(state, { size: v }))}
        testidPrefix="flag-size"
      />
      <Choice
        legend={t("flag.need.legend")}
        name="need"
        options={needOptions(young)}
        value={d.need}
        onChange={(v) => setState(update(state, { need: v }))}
        testidPrefix="flag-need"
      />
      <Choice
        legend={t("flag.space.legend")}
        name="space"
        options={spaceOptions()}
        value={d.spaceMinutes === null ? null : (String(d.spaceMinutes) as "15")}
        onChange={(v) => setState(update(state, { spaceMinutes: v === null ? null : Number(v) }))}
        testidPrefix="flag-space"
      />
      <TextArea
        label={young ? t("flag.noteYoung") : t("flag.note")}
        name="note"
        value={d.note}
        onValue={(note) => setState(update(state, { note }))}
        testid="flag-note"
        maxLength={2000}
      />
    </section>
  );
}

export function FlagFlow(props: { parent: string | null; family: string | null }): JSX.Element {
  const s = useAppState();
  const familyId = props.family ?? (primaryFamily(s.me) ? String(primaryFamily(s.me)?.id) : null);
  const members = familyId ? (s.members[familyId] ?? null) : null;
  const parents = useMemo(() => parentsOf(members ?? [], s.me?.id), [members, s.me?.id]);
  const band = s.me?.age_band;
  // A child under 8: pictures to tap, each word and screen read aloud, nothing that needs reading.
  const little = s.me?.young_child === true;
  const vocab = useMemo(() => vocabularyFor(s.feelings, band, little), [s.feelings, band, little]);
  const [state, setFlag] = useState<FlagState | null>(null);
  const [result, setResult] = useState<"sent" | "queued" | null>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  useEffect(() => {
    if (familyId && !members) void loadMembers(familyId).catch(() => undefined);
    if (!s.feelings.length) void loadFeelings();
  }, [familyId]);

  useEffect(() => {
    if (!state && familyId && members) setFlag(startFlag(familyId, parents, props.parent));
  }, [familyId, members, parents, props.parent]);

  if (!familyId) {
    return (
      <Screen title={t("flag.title")} testid="screen-flag">
        <p>{t("flag.noFamily")}</p>
      </Screen>
    );
  }
  if (!state) {
    return (
      <Screen title={t("flag.title")} testid="screen-flag">
        <Loading />
        <UnsafeBar flag={null} familyId={familyId} fallbackParent={parents[0]?.id ?? null} little={little} />
      </Screen>
    );
  }

  const parentName = parents.find((p) => String(p.id) === String(state.draft.parentId))?.display_name ?? t("flag.yourParent");

  if (result) {
    return (
      <Screen title={result === "sent" ? t("flag.thanks") : t("flag.saved")} testid="screen-flag-done">
        <p class="lead" data-testid={result === "sent" ? "flag-sent" : "flag-queued"}>
          {result === "sent" ? t("flag.sent", { parent: parentName }) : t("flag.queued", { parent: parentName })}
        </p>
        {little ? (
          <p class="big-picture" aria-hidden="true">
            {result === "sent" ? "💌" : "📦"}
          </p>
        ) : null}
        <a class="button primary big" href={href("/")} data-testid="flag-home">
          {little ? <span class="emoji" aria-hidden="true">🏠 </span> : null}
          {t("flag.home")}
        </a>
        <UnsafeBar flag={state} familyId={familyId} fallbackParent={parents[0]?.id ?? null} little={little} />
      </Screen>
    );
  }

  const goBack = (): void => {
    const prev = back(state, parents.length);
    if (prev) setFlag(prev);
    else navigate("/");
  };

  const send = async (): Promise<void> => {
    if (!canSend(state) || busy) return;
    setBusy(true);
    setErrors([]);
    try {
      const key = uuid();
      const res = await sendViaOutbox({
        key,
        kind: "flag",
        url: urls.ruptures,
        body: buildFlagPayload(state, new Date()),
        label: t("flag.outboxLabel", { parent: parentName }),
      });
      if (res.failed) {
        // Refused for good (e.g. a validation error): show why here and let them try again.
        await outbox.remove(key);
        setErrors(res.failed.failed?.errors.map((e) => e.message) ?? []);
      } else {
        setResult(res.sent ? "sent" : "queued");
      }
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    } finally {
      setBusy(false);
    }
  };

  const backButton = (
    <button type="button" class="link-button back-button" onClick={goBack} data-testid="flag-back">
      <span aria-hidden="true">← </span>
      {t("common.back")}
    </button>
  );

  if (state.step === "who") {
    return (
      <Screen title={t("flag.who")} testid="screen-flag">
        {backButton}
        <div class="stack">
          {parents.map((p) => (
            <div key={String(p.id)} class={little ? "with-voice" : undefined}>
              <button
                type="button"
                class="button primary big"
                data-testid={`flag-who-${String(p.id)}`}
                onClick={() => setFlag(chooseParent(state, p.id))}
              >
                {little ? <span class="emoji" aria-hidden="true">🧑 </span> : null}
                {p.display_name}
              </button>
              {little ? (
                <ReadAloud
                  text={t("flag.tellName", { name: p.display_name })}
                  label={t("common.hear", { words: t("flag.tellName", { name: p.display_name }) })}
                  testid={`hear-who-${String(p.id)}`}
                />
              ) : null}
            </div>
          ))}
          {parents.length === 0 ? <p>{t("flag.noParent")}</p> : null}
        </div>
        <UnsafeBar flag={state} familyId={familyId} fallbackParent={parents[0]?.id ?? null} little={little} />
      </Screen>
    );
  }

  if (state.step === "feel") {
    return (
      <Screen title={t("flag.feel")} testid="screen-flag" lead={t("flag.feelLead", { parent: parentName })}>
        {backButton}
        {vocab.length ? (
          <FeelingGrid
            feelings={vocab}
            young={isYoung(band)}
            little={little}
            onPick={(code) => setFlag(chooseFeeling(state, code))}
          />
        ) : (
          <Loading label={t("flag.loadingFeelings")} />
        )}
        <UnsafeBar flag={state} familyId={familyId} fallbackParent={parents[0]?.id ?? null} little={little} />
      </Screen>
    );
  }

  const chosen = state.draft.feelings.map((c) => vocab.find((f) => f.code === c) ?? { code: c, emoji: "", label: c });
  const sendButton = (
    <button
      type="button"
      class="button primary big"
      data-testid="flag-send"
      disabled={busy || !canSend(state)}
      onClick={() => void send()}
    >
      {little ? <span class="emoji" aria-hidden="true">💌 </span> : null}
      {busy ? t("common.sending") : t("flag.send", { parent: parentName })}
    </button>
  );
  if (little) {
    // Nothing here needs reading: the chosen picture, what would help as pictures, and a send
    // button with its own picture and voice. The longer questions are for older children.
    const words = t("flag.sayChosen", { feelings: formatList(chosen.map((f) => f.label)), parent: parentName });
    return (
      <Screen title={t("flag.sendQuestion", { parent: parentName })} testid="screen-flag">
        {backButton}
        <p class="chosen chosen-little" data-testid="flag-chosen">
          <span class="big-picture" aria-hidden="true">
            {chosen.map((f) => f.emoji).join(" ")}
          </span>
          {t("flag.youFeel")} <strong>{chosen.map((f) => f.label).join(", ")}</strong>.
          <ReadAloud text={words} label={t("flag.hearQuestion")} testid="hear-send" />
        </p>
        <FormErrors messages={errors} testid="flag-errors" />
        <Choice
          legend={t("flag.need.legend")}
          name="need"
          options={needOptions(true)}
          value={state.draft.need}
          onChange={(v) => setFlag(update(state, { need: v }))}
          testidPrefix="flag-need"
          large
        />
        <UnsafeBar flag={state} familyId={familyId} fallbackParent={parents[0]?.id ?? null} little={little}>
          {sendButton}
        </UnsafeBar>
      </Screen>
    );
  }
  return (
    <Screen title={t("flag.sendQuestion", { parent: parentName })} testid="screen-flag">
      {backButton}
      <p class="chosen" data-testid="flag-chosen">
        {t("flag.youFeel")}{" "}
        {chosen.map((f, i) => (
          <span key={f.code}>
            {i > 0 ? ", " : ""}
            {f.emoji ? <span class="emoji" aria-hidden="true">{f.emoji} </span> : null}
            <strong>{f.label}</strong>
          </span>
        ))}
        .
      </p>
      <FormErrors messages={errors} testid="flag-errors" />
      <Optional state={state} setState={setFlag} vocab={vocab} band={band} />
      <UnsafeBar flag={state} familyId={familyId} fallbackParent={parents[0]?.id ?? null} little={little}>
        {sendButton}
      </UnsafeBar>
    </Screen>
  );
}
