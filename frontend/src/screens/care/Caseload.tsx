/**
 * The therapist's caseload: open safety reviews first and unmissable, then every family that
 * granted access, with the server's figures per family, sorted and filtered by what the server
 * offers (needs attention, name, last activity). The share code to give families is at the top.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Checkbox, Loading, Screen, Time } from "../../components/ui";
import { SelfReported } from "../../components/care/Figures";
import { CareError } from "../../components/care/CareError";
import { care } from "../../lib/api";
import { percent } from "../../lib/careFormat";
import { errorsOf, type ApiErrorItem } from "../../lib/errors";
import { href } from "../../lib/router";
import { useAppState } from "../../lib/store";
import type { AttentionReason, Caseload as CaseloadData, CaseloadFamily, CaseloadQuery } from "../../lib/types";

/** "Unrepaired for more than N days": the therapist's own N, remembered on this device. */
const DAYS_KEY = "fr:care:unrepaired-days";
const DAYS_DEFAULT = 7;

function clampDays(n: number): number | null {
  return Number.isInteger(n) && n >= 1 && n <= 365 ? n : null;
}

function rememberedDays(): number {
  try {
    return clampDays(Number(localStorage.getItem(DAYS_KEY))) ?? DAYS_DEFAULT;
  } catch {
    return DAYS_DEFAULT;
  }
}

function UnrepairedDays(props: { value: number; onChange: (n: number) => void }): JSX.Element {
  const [text, setText] = useState(String(props.value));
  const [error, setError] = useState(false);
  const commit = (): void => {
    const n = clampDays(Number(text.trim()));
    setError(n === null);
    if (n !== null && n !== props.value) props.onChange(n);
  };
  return (
    <div class="field">
      <label for="caseload-days">Needs attention when a rupture is unrepaired for more than (days)</label>
      <input
        id="caseload-days"
        type="number"
        inputMode="numeric"
        min={1}
        max={365}
        value={text}
        aria-invalid={error}
        aria-describedby={error ? "caseload-days-error" : undefined}
        onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
        onChange={commit}
        onKeyDown={(e) => e.key === "Enter" && commit()}
        data-testid="caseload-days"
      />
      {error ? (
        <p class="field-error" id="caseload-days-error">
          A whole number of days from 1 to 365.
        </p>
      ) : null}
    </div>
  );
}

const SORTS: { value: NonNullable<CaseloadQuery["sort"]>; label: string }[] = [
  { value: "needs_attention", label: "Needs attention" },
  { value: "name", label: "Name" },
  { value: "last_activity", label: "Last activity" },
];

function reasonText(reason: AttentionReason, days: number): string {
  switch (reason) {
    case "safety_review":
      return "A safety review is open";
    case "unrepaired":
      return `A rupture unrepaired for more than ${days} days`;
    case "repair_rate_falling":
      return "Repair rate falling over two periods";
    default:
      return String(reason);
  }
}

function FamilyCard(props: { f: CaseloadFamily; days: number }): JSX.Element {
  const f = props.f;
  const id = String(f.family.id);
  return (
    <li class={f.safety_reviews ? "card caseload-card urgent" : "card caseload-card"} data-testid={`caseload-family-${id}`}>
      <h3>
        <a href={href(`/care/families/${id}`)} data-testid={`open-family-${id}`}>
          {f.family.name}
        </a>
      </h3>
      <p class="status">{f.grant.scope === "details" ? "Figures and words" : "Figures only"}</p>
      {f.needs_attention ? (
        <ul class="attention" aria-label="Needs attention" data-testid={`attention-${id}`}>
          {f.attention_reasons.map((r) => (
            <li key={r}>{reasonText(r, props.days)}</li>
          ))}
        </ul>
      ) : null}
      <dl class="caseload-figures">
        <dt>Open ruptures</dt>
        <dd>{f.open_ruptures}</dd>
        <dt>Oldest unrepaired</dt>
        <dd>{f.oldest_unrepaired_days === null ? "–" : `${f.oldest_unrepaired_days} days`}</dd>
        <dt>Repairs, last 30 days</dt>
        <dd>
          {f.repairs_last_30_days} <span class="hint">(30 before: {f.repairs_previous_30_days})</span>
        </dd>
        <dt>Started by a parent</dt>
        <dd>{percent(f.parent_started_share)}</dd>
        <dt>Last activity</dt>
        <dd>{f.last_activity ? <Time iso={f.last_activity} /> : "–"}</dd>
      </dl>
    </li>
  );
}

export default function Caseload(): JSX.Element {
  const s = useAppState();
  const [sort, setSort] = useState<NonNullable<CaseloadQuery["sort"]>>("needs_attention");
  const [onlyAttention, setOnlyAttention] = useState(false);
  const [days, setDays] = useState(rememberedDays);
  const changeDays = (n: number): void => {
    setDays(n);
    try {
      localStorage.setItem(DAYS_KEY, String(n));
    } catch {
      // Not remembered on this device; it still applies now.
    }
  };
  const [data, setData] = useState<CaseloadData | null>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);

  useEffect(() => {
    let live = true;
    setErrors([]);
    care
      .caseload({ sort, needs_attention: onlyAttention, unrepaired_days: days })
      .then((d) => live && setData(d))
      .catch((err) => live && setErrors(errorsOf(err)));
    return () => {
      live = false;
    };
  }, [sort, onlyAttention, days]);

  const code = s.me?.therapist_share_code;
  return (
    <Screen title="Your families" testid="screen-caseload">
      {data && data.safety_reviews > 0 ? (
        <a class="safety-alert" href={href("/care/safety-reviews")} data-testid="safety-reviews-alert">
          <strong>
            {data.safety_reviews === 1 ? "1 safety review needs you" : `${data.safety_reviews} safety reviews need you`}
          </strong>
          <span>A child said they feel unsafe. Open the safety reviews.</span>
        </a>
      ) : (
        <p>
          <a href={href("/care/safety-reviews")} data-testid="safety-reviews-link">
            Safety reviews
          </a>
        </p>
      )}
      {code ? (
        <section class="card" aria-labelledby="share-title">
          <h2 id="share-title">Your share code</h2>
          <p class="big-code" data-testid="therapist-share-code">
            {code}
          </p>
          <p>Give this code to a family: a parent adds it in Family settings, under Care team, and chooses what you see.</p>
        </section>
      ) : null}
      <CareError errors={errors} />
      <section aria-labelledby="caseload-title">
        <h2 id="caseload-title">Families</h2>
        <div class="caseload-controls">
          <div class="field">
            <label for="caseload-sort">Sort by</label>
            <select
              id="caseload-sort"
              value={sort}
              onChange={(e) => setSort((e.currentTarget as HTMLSelectElement).value as NonNullable<CaseloadQuery["sort"]>)}
              data-testid="caseload-sort"
            >
              {SORTS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
          <UnrepairedDays value={days} onChange={changeDays} />
          <Checkbox label="Only families that need attention" checked={onlyAttention} onChange={setOnlyAttention} testid="caseload-attention" />
        </div>
        {data === null && !errors.length ? <Loading /> : null}
        {data ? <SelfReported label={data.label} /> : null}
        {data && data.results.length === 0 ? (
          <p data-testid="caseload-empty">
            {onlyAttention ? "No family needs attention right now." : "No family has linked you yet. Give them your share code."}
          </p>
        ) : null}
        <ul class="cards" data-testid="caseload-list">
          {(data?.results ?? []).map((f) => (
            <FamilyCard key={String(f.family.id)} f={f} days={data?.unrepaired_days ?? 0} />
          ))}
        </ul>
      </section>
    </Screen>
  );
}
