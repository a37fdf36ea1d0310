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
import { formatNumber, t } from "../../lib/careWords";
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
      <label for="caseload-days">{t("care:caseload.days")}</label>
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
          {t("care:caseload.daysError")}
        </p>
      ) : null}
    </div>
  );
}

const SORTS: NonNullable<CaseloadQuery["sort"]>[] = ["needs_attention", "name", "last_activity"];

function sortLabel(sort: NonNullable<CaseloadQuery["sort"]>): string {
  switch (sort) {
    case "name":
      return t("care:caseload.sortName");
    case "last_activity":
      return t("care:caseload.sortLastActivity");
    default:
      return t("care:caseload.sortNeedsAttention");
  }
}

function reasonText(reason: AttentionReason, days: number): string {
  switch (reason) {
    case "safety_review":
      return t("care:caseload.reasonSafety");
    case "unrepaired":
      return t("care:caseload.reasonUnrepaired", { count: days });
    case "repair_rate_falling":
      return t("care:caseload.reasonFalling");
    default:
      return String(reason);
  }
}

function average(n: number): string {
  return formatNumber(n, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

function checkInText(trend: CaseloadFamily["check_in_trend"]): string {
  if (!trend) return "–";
  if (trend.previous_average === null) return average(trend.average);
  return t("care:caseload.checkInValue", { now: average(trend.average), before: average(trend.previous_average) });
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
      <p class="status">{f.grant.scope === "details" ? t("care:caseload.figuresAndWords") : t("care:caseload.figuresOnly")}</p>
      {f.needs_attention ? (
        <ul class="attention" aria-label={t("care:caseload.needsAttention")} data-testid={`attention-${id}`}>
          {f.attention_reasons.map((r) => (
            <li key={r}>{reasonText(r, props.days)}</li>
          ))}
        </ul>
      ) : null}
      <dl class="caseload-figures">
        <dt>{t("care:caseload.open")}</dt>
        <dd>{f.open_ruptures}</dd>
        <dt>{t("care:caseload.oldest")}</dt>
        <dd>{f.oldest_unrepaired_days === null ? "–" : t("care:format.days", { count: f.oldest_unrepaired_days, n: formatNumber(f.oldest_unrepaired_days) })}</dd>
        <dt>{t("care:caseload.repairs30")}</dt>
        <dd>
          {f.repairs_last_30_days} <span class="hint">{t("care:caseload.before30", { count: f.repairs_previous_30_days })}</span>
        </dd>
        <dt>{t("care:caseload.parentStarted")}</dt>
        <dd>{percent(f.parent_started_share)}</dd>
        <dt>{t("care:caseload.checkIn")}</dt>
        <dd data-testid={`check-in-trend-${id}`}>{checkInText(f.check_in_trend)}</dd>
        <dt>{t("care:caseload.lastActivity")}</dt>
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
    <Screen title={t("care:caseload.title")} testid="screen-caseload">
      {data && data.safety_reviews > 0 ? (
        <a class="safety-alert" href={href("/care/safety-reviews")} data-testid="safety-reviews-alert">
          <strong>{t("care:caseload.reviews", { count: data.safety_reviews })}</strong>
          <span>{t("care:caseload.reviewsBody")}</span>
        </a>
      ) : (
        <p>
          <a href={href("/care/safety-reviews")} data-testid="safety-reviews-link">
            {t("care:caseload.reviewsLink")}
          </a>
        </p>
      )}
      {code ? (
        <section class="card" aria-labelledby="share-title">
          <h2 id="share-title">{t("care:caseload.shareTitle")}</h2>
          <p class="big-code" data-testid="therapist-share-code">
            {code}
          </p>
          <p>{t("care:caseload.shareBody")}</p>
        </section>
      ) : null}
      <CareError errors={errors} />
      <section aria-labelledby="caseload-title">
        <h2 id="caseload-title">{t("care:caseload.families")}</h2>
        <div class="caseload-controls">
          <div class="field">
            <label for="caseload-sort">{t("care:caseload.sortBy")}</label>
            <select
              id="caseload-sort"
              value={sort}
              onChange={(e) => setSort((e.currentTarget as HTMLSelectElement).value as NonNullable<CaseloadQuery["sort"]>)}
              data-testid="caseload-sort"
            >
              {SORTS.map((o) => (
                <option key={o} value={o}>
                  {sortLabel(o)}
                </option>
              ))}
            </select>
          </div>
          <UnrepairedDays value={days} onChange={changeDays} />
          <Checkbox label={t("care:caseload.onlyAttention")} checked={onlyAttention} onChange={setOnlyAttention} testid="caseload-attention" />
        </div>
        {data === null && !errors.length ? <Loading /> : null}
        {data ? <SelfReported label={data.label} /> : null}
        {data ? (
          <p class="hint" data-testid="check-in-note">
            {t("care:caseload.checkInNote")}
          </p>
        ) : null}
        {data && data.results.length === 0 ? (
          <p data-testid="caseload-empty">
            {onlyAttention ? t("care:caseload.emptyAttention") : t("care:caseload.empty")}
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
