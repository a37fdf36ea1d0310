/**
 * One rupture opened by a therapist with `details` scope, read-only: who, when, how it felt, what
 * was asked for, the words and the messages. Opening it is in the family's access log (the server
 * writes it on GET /ruptures/{id}/ and on its messages); nothing here writes.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { CareError } from "../../components/care/CareError";
import { Loading, Screen, Time } from "../../components/ui";
import { api } from "../../lib/api";
import { errorsOf, type ApiErrorItem } from "../../lib/errors";
import { t } from "../../lib/careWords";
import { statusLabel } from "../../lib/model";
import { needSentence, timelineLines } from "../../lib/timeline";
import type { Rupture, RuptureMessage } from "../../lib/types";

export default function CareRupture(props: { familyId: string; id: string }): JSX.Element {
  const [r, setR] = useState<Rupture | null>(null);
  const [messages, setMessages] = useState<RuptureMessage[] | null>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  useEffect(() => {
    let live = true;
    api
      .rupture(props.id)
      .then((x) => {
        if (!live) return;
        setR(x);
        return api.messages(props.id).then((m) => live && setMessages(m));
      })
      .catch((err) => live && setErrors(errorsOf(err)));
    return () => {
      live = false;
    };
  }, [props.id]);
  const back = { to: `/care/families/${props.familyId}`, label: t("care:rupture.back") };
  if (!r) {
    return (
      <Screen title={t("care:rupture.title")} testid="screen-care-rupture" back={back} wide>
        <CareError errors={errors} />
        {errors.length ? null : <Loading />}
      </Screen>
    );
  }
  const need = needSentence(r.need, "parent", r.child.display_name, r.parent.display_name);
  return (
    <Screen title={t("care:figures.pair", { parent: r.parent.display_name, child: r.child.display_name })} testid="screen-care-rupture" back={back} wide>
      <p class="hint">{t("care:rupture.readOnly")}</p>
      <dl class="claims" data-testid="care-rupture-facts">
        <dt>{t("care:rupture.when")}</dt>
        <dd>
          <Time iso={r.occurred_at} />
        </dd>
        <dt>{t("care:rupture.startedBy")}</dt>
        <dd>{r.started_by === "child" ? r.child.display_name : r.parent.display_name}</dd>
        <dt>{t("care:rupture.stands")}</dt>
        <dd>{statusLabel(r.status)}</dd>
        <dt>{t("care:rupture.feelings")}</dt>
        <dd>{r.feelings.map((f) => f.label).join(", ") || "–"}</dd>
        <dt>{t("care:rupture.intensity")}</dt>
        <dd>{r.intensity}</dd>
        {need ? (
          <>
            <dt>{t("care:rupture.askedFor")}</dt>
            <dd>{need}</dd>
          </>
        ) : null}
      </dl>
      {r.note ? (
        <section class="card" aria-labelledby="note-title">
          <h2 id="note-title">{t("care:rupture.inTheirWords")}</h2>
          <blockquote data-testid="care-rupture-note">{r.note}</blockquote>
        </section>
      ) : null}
      <section aria-labelledby="care-messages-title">
        <h2 id="care-messages-title">{t("care:rupture.messages")}</h2>
        {messages === null ? <Loading /> : null}
        {messages && messages.length === 0 ? <p>{t("care:rupture.noMessages")}</p> : null}
        {messages && messages.length ? (
          <ul class="messages" data-testid="care-rupture-messages">
            {messages.map((m) => (
              <li key={String(m.id)}>
                <strong>{m.author.display_name}</strong>: {m.body} <Time iso={m.created_at} />
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <section aria-labelledby="care-timeline-title">
        <h2 id="care-timeline-title">{t("care:rupture.happened")}</h2>
        <ul class="plain">
          {timelineLines(r.timeline).map((l) => (
            <li key={l.key}>
              {l.text} <Time iso={l.at} />
            </li>
          ))}
        </ul>
      </section>
    </Screen>
  );
}
