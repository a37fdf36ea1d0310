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
import { href } from "../../lib/router";
import { announce } from "../../lib/store";
import type { SafetyOutcome, SafetyReview, SafetyReviewRow } from "../../lib/types";

const OUTCOMES: { value: SafetyOutcome; label: string }[] = [
  { value: "spoke_with_child", label: "Spoke with the child" },
  { value: "contacted_family", label: "Contacted the family" },
  { value: "referred_to_services", label: "Referred to services" },
  { value: "contacted_authorities", label: "Contacted the authorities" },
  { value: "no_safety_concern", label: "No safety concern" },
];

function outcomeText(outcome: string): string {
  return OUTCOMES.find((o) => o.value === outcome)?.label ?? "";
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
        <span class="card-title">
          {r.child.display_name} ({r.family.name})
        </span>
        <span class="card-sub">About {r.parent.display_name}</span>
        <span class="card-sub">
          Opened <Time iso={r.opened_at} />
        </span>
        {r.closed_at ? <span class="status">Closed: {outcomeText(r.outcome)}</span> : <span class="status status-safety_review">Open</span>}
      </a>
    </li>
  );
  return (
    <Screen title="Safety reviews" testid="screen-safety-reviews" back={{ to: "/", label: "Your families" }}>
      <p>A child in one of your families said they feel unsafe. The parent they named does not see the flag, and will not learn of it from anything you do here.</p>
      <CareError errors={errors} />
      {rows === null && !errors.length ? <Loading /> : null}
      {rows ? (
        <>
          <section aria-labelledby="open-reviews-title">
            <h2 id="open-reviews-title">Open ({open.length})</h2>
            {open.length ? <ul class="cards">{open.map(item)}</ul> : <p data-testid="no-open-reviews">No safety review is open.</p>}
          </section>
          {closed.length ? (
            <section aria-labelledby="closed-reviews-title">
              <h2 id="closed-reviews-title">Closed</h2>
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
        form.setErrors([{ code: "required", message: "Choose what was done.", param: "outcome" }]);
        return;
      }
      setReview(await care.closeSafetyReview(props.id, { outcome, note: note.trim() }));
      announce("The review is closed.");
    });
  return (
    <Screen title="Safety review" testid="screen-safety-review" back={{ to: "/care/safety-reviews", label: "Safety reviews" }}>
      <CareError errors={errors} />
      {review === null && !errors.length ? <Loading /> : null}
      {review ? (
        <>
          <dl class="claims" data-testid="safety-review-facts">
            <dt>Child</dt>
            <dd>{review.child.display_name}</dd>
            <dt>Family</dt>
            <dd>{review.family.name}</dd>
            <dt>About</dt>
            <dd>{review.parent.display_name}</dd>
            <dt>Opened</dt>
            <dd>
              <Time iso={review.opened_at} />
            </dd>
          </dl>
          {review.flag ? (
            <section class="card" aria-labelledby="flag-title" data-testid="safety-review-flag">
              <h2 id="flag-title">What the child told us</h2>
              <p>Feelings: {review.flag.feelings.map((f) => f.label).join(", ") || "–"}</p>
              {review.flag.note ? <blockquote>{review.flag.note}</blockquote> : null}
            </section>
          ) : (
            <p class="hint">The child's words are not shared with you.</p>
          )}
          {review.closed_at ? (
            <section class="card" aria-labelledby="closed-title" data-testid="safety-review-closed">
              <h2 id="closed-title">Closed</h2>
              <p>
                {outcomeText(review.outcome)} · <Time iso={review.closed_at} /> · {review.closed_by_name}
              </p>
              {review.note ? <p>{review.note}</p> : null}
              {review.outcome === "no_safety_concern" ? (
                <p class="hint">The child will be asked whether their parent may see this flag now. Until they agree, it stays held.</p>
              ) : null}
            </section>
          ) : (
            <form onSubmit={onSubmit(() => void close())} noValidate aria-labelledby="close-title">
              <h2 id="close-title">Record what was done and close</h2>
              <FormErrors messages={form.general} />
              <Choice legend="What was done" name="outcome" options={OUTCOMES} value={outcome} onChange={setOutcome} testidPrefix="outcome" errors={form.byField["outcome"]} />
              <TextArea label="Note" name="note" value={note} onValue={setNote} errors={form.byField["note"]} testid="safety-note" rows={4} hint="For the safety record." />
              <button type="submit" class="button primary" disabled={form.busy} data-testid="safety-close">
                {form.busy ? "Closing…" : "Close the review"}
              </button>
            </form>
          )}
        </>
      ) : null}
    </Screen>
  );
}

export default SafetyReviewQueue;
