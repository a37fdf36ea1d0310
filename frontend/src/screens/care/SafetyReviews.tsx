/**
 * The therapist's safety reviews: the queue (open first), and one review opened (the server logs
 * the open) to record what was done with a note and close it. Closing never shows the flag to the
 * parent; a flag closed as "no safety concern" reaches them only if the child agrees in the app.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { CareError } from "../../components/care/CareError";
import { Choice, FormErrors, Loading, Screen, TextArea, Time, onSubmit, useSubmit } from "../../components/ui";
import { care } from "../../lib/api";
import { errorsOf, type ApiErrorItem } from "../../lib/errors";
import { t } from "../../lib/careWords";
import { href } from "../../lib/router";
import { announce } from "../../lib/store";
import type { SafetyOutcome, SafetyReview, SafetyReviewRow } from "../../lib/types";

/** What a reviewer may record, in the reader's language (read at render time). */
function outcomes(): { value: SafetyOutcome; label: string }[] {
  return [
    { value: "spoke_with_child", label: t("care:reviews.spoke") },
    { value: "contacted_family", label: t("care:reviews.contacted") },
    { value: "referred_to_services", label: t("care:reviews.referred") },
    { value: "contacted_authorities", label: t("care:reviews.authorities") },
    { value: "no_safety_concern", label: t("care:reviews.noConcern") },
  ];
}

function outcomeText(outcome: string): string {
  return outcomes().find((o) => o.value === outcome)?.label ?? "";
}

export function SafetyReviewQueue(): JSX.Element {
  const [rows, setRows] = useState<SafetyReviewRow[] | null>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  useEffect(() => {
    care
      .safetyReviews()
      .then((p) => setRows(p.results))
      .catch((err) => setErrors(errorsOf(err)));
  }, []);
  const open = (rows ?? []).filter((r) => !r.closed_at);
  const closed = (rows ?? []).filter((r) => r.closed_at);
  const item = (r: SafetyReviewRow): JSX.Element => (
    <li key={String(r.rupture)}>
      <a class={r.closed_at ? "card card-link" : "card card-link urgent"} href={href(`/care/safety-reviews/${String(r.rupture)}`)} data-testid={`safety-review-${String(r.rupture)}`}>
        <span class="card-title">{t("care:reviews.rowTitle", { child: r.child.display_name, family: r.family.name })}</span>
        <span class="card-sub">{t("care:reviews.about", { parent: r.parent.display_name })}</span>
        <span class="card-sub">
          {t("care:reviews.opened")}
          <Time iso={r.opened_at} />
        </span>
        {r.closed_at ? (
          <span class="status">{t("care:reviews.closed", { outcome: outcomeText(r.outcome) })}</span>
        ) : (
          <span class="status status-safety_review">{t("care:reviews.open")}</span>
        )}
      </a>
    </li>
  );
  return (
    <Screen title={t("care:reviews.title")} testid="screen-safety-reviews" back={{ to: "/", label: t("care:reviews.back") }}>
      <p>{t("care:reviews.intro")}</p>
      <CareError errors={errors} />
      {rows === null && !errors.length ? <Loading /> : null}
      {rows ? (
        <>
          <section aria-labelledby="open-reviews-title">
            <h2 id="open-reviews-title">{t("care:reviews.openCount", { count: open.length })}</h2>
            {open.length ? <ul class="cards">{open.map(item)}</ul> : <p data-testid="no-open-reviews">{t("care:reviews.noneOpen")}</p>}
          </section>
          {closed.length ? (
            <section aria-labelledby="closed-reviews-title">
              <h2 id="closed-reviews-title">{t("care:reviews.closedTitle")}</h2>
              <ul class="cards">{closed.map(item)}</ul>
            </section>
          ) : null}
        </>
      ) : null}
    </Screen>
  );
}

export function SafetyReviewDetail(props: { id: string }): JSX.Element {
  const [review, setReview] = useState<SafetyReview | null>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [outcome, setOutcome] = useState<SafetyOutcome | null>(null);
  const [note, setNote] = useState("");
  const form = useSubmit(["outcome", "note"]);
  useEffect(() => {
    care
      .safetyReview(props.id)
      .then(setReview)
      .catch((err) => setErrors(errorsOf(err)));
  }, [props.id]);
  const close = (): Promise<void> =>
    form.run(async () => {
      if (!outcome) {
        form.setErrors([{ code: "required", message: t("care:reviews.chooseOutcome"), param: "outcome" }]);
        return;
      }
      setReview(await care.closeSafetyReview(props.id, { outcome, note: note.trim() }));
      announce(t("care:reviews.closedDone"));
    });
  return (
    <Screen title={t("care:reviews.reviewTitle")} testid="screen-safety-review" back={{ to: "/care/safety-reviews", label: t("care:reviews.title") }}>
      <CareError errors={errors} />
      {review === null && !errors.length ? <Loading /> : null}
      {review ? (
        <>
          <dl class="claims" data-testid="safety-review-facts">
            <dt>{t("care:reviews.child")}</dt>
            <dd>{review.child.display_name}</dd>
            <dt>{t("care:reviews.family")}</dt>
            <dd>{review.family.name}</dd>
            <dt>{t("care:reviews.aboutLabel")}</dt>
            <dd>{review.parent.display_name}</dd>
            <dt>{t("care:reviews.openedLabel")}</dt>
            <dd>
              <Time iso={review.opened_at} />
            </dd>
          </dl>
          {review.flag ? (
            <section class="card" aria-labelledby="flag-title" data-testid="safety-review-flag">
              <h2 id="flag-title">{t("care:reviews.flagTitle")}</h2>
              <p>{t("care:reviews.feelings", { list: review.flag.feelings.map((f) => f.label).join(", ") || "–" })}</p>
              {review.flag.note ? <blockquote>{review.flag.note}</blockquote> : null}
            </section>
          ) : (
            <p class="hint">{t("care:reviews.notShared")}</p>
          )}
          {review.closed_at ? (
            <section class="card" aria-labelledby="closed-title" data-testid="safety-review-closed">
              <h2 id="closed-title">{t("care:reviews.closedOne")}</h2>
              <p>
                {outcomeText(review.outcome)} · <Time iso={review.closed_at} /> · {review.closed_by_name}
              </p>
              {review.note ? <p>{review.note}</p> : null}
              {review.outcome === "no_safety_concern" ? (
                <p class="hint">{t("care:reviews.willAsk")}</p>
              ) : null}
            </section>
          ) : (
            <form onSubmit={onSubmit(() => void close())} noValidate aria-labelledby="close-title">
              <h2 id="close-title">{t("care:reviews.closeTitle")}</h2>
              <FormErrors messages={form.general} />
              <Choice legend={t("care:reviews.whatDone")} name="outcome" options={outcomes()} value={outcome} onChange={setOutcome} testidPrefix="outcome" errors={form.byField["outcome"]} />
              <TextArea label={t("care:reviews.note")} name="note" value={note} onValue={setNote} errors={form.byField["note"]} testid="safety-note" rows={4} hint={t("care:reviews.noteHint")} />
              <button type="submit" class="button primary" disabled={form.busy} data-testid="safety-close">
                {form.busy ? t("care:reviews.closing") : t("care:reviews.close")}
              </button>
            </form>
          )}
        </>
      ) : null}
    </Screen>
  );
}

export default SafetyReviewQueue;
