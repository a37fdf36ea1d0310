/**
 * One family's dashboard for its therapist: a period (30, 90, 365 days or all; 90 by default),
 * the period before to compare, the figures (components/care/Figures), and the session export: the
 * CSV of the figures and a printable one-page summary. Every read and export is in the family's
 * access log (the server writes it).
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { CareError } from "../../components/care/CareError";
import { CheckInTrend } from "../../components/care/CheckInTrend";
import { RupturesList } from "../../components/care/RupturesList";
import { Figures, PeriodPicker, type PeriodChoice } from "../../components/care/Figures";
import { FormErrors, Loading, Screen } from "../../components/ui";
import { care } from "../../lib/api";
import { formatDate } from "../../lib/careFormat";
import { errorsOf, type ApiErrorItem } from "../../lib/errors";
import { t } from "../../lib/careWords";
import { href } from "../../lib/router";
import { announce } from "../../lib/store";
import type { Dashboard } from "../../lib/types";

export function usePeriod(initial: URLSearchParams | null = null): {
  period: PeriodChoice;
  compare: boolean;
  set: (p: PeriodChoice, c: boolean) => void;
} {
  const start = initial?.get("period");
  const [period, setPeriod] = useState<PeriodChoice>(start === "30" || start === "365" || start === "all" ? start : "90");
  const [compare, setCompare] = useState(initial?.get("compare") === "true");
  return {
    period,
    compare,
    set: (p, c) => {
      setPeriod(p);
      setCompare(c);
    },
  };
}

function saveText(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export default function CareFamily(props: { id: string }): JSX.Element {
  const p = usePeriod();
  const [data, setData] = useState<Dashboard | null>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [exportErrors, setExportErrors] = useState<string[]>([]);

  useEffect(() => {
    let live = true;
    setErrors([]);
    care
      .dashboard(props.id, { period: p.period, compare: p.compare })
      .then((d) => live && setData(d))
      .catch((err) => live && setErrors(errorsOf(err)));
    return () => {
      live = false;
    };
  }, [props.id, p.period, p.compare]);

  const downloadCsv = async (): Promise<void> => {
    setExportErrors([]);
    try {
      const csv = await care.exportCsv(props.id, { period: p.period });
      const period = data?.period;
      saveText(csv, `familyrepair-${props.id}-${period ? `${period.from_date}-${period.to_date}` : p.period}.csv`, "text/csv");
      announce(t("care:family.csvDone"));
    } catch (err) {
      setExportErrors(errorsOf(err).map((e) => e.message));
    }
  };

  const title = data?.family.name ?? t("care:family.fallbackTitle");
  return (
    <Screen title={title} testid="screen-care-family" back={{ to: "/", label: t("care:family.back") }} wide>
      <CareError errors={errors} />
      <p class="status">{data ? (data.scope === "details" ? t("care:family.sharesDetails") : t("care:family.sharesMetrics")) : null}</p>
      <PeriodPicker value={p.period} compare={p.compare} onChange={p.set} />
      {data === null && !errors.length ? <Loading /> : null}
      {data ? (
        <>
          <p data-testid="period-range">
            {t("care:family.range", { from: formatDate(data.period.from_date), to: formatDate(data.period.to_date), count: data.period.days })}
          </p>
          <Figures figures={data} previous={data.previous} label={data.label} timeZone={data.time_zone} />
          <CheckInTrend trend={data.check_ins} />
          {data.can_open_words ? (
            <RupturesList key={`${data.period.from_date}-${data.period.to_date}`} familyId={props.id} from={data.period.from_date} to={data.period.to_date} />
          ) : null}
          <section aria-labelledby="export-title" class="card">
            <h2 id="export-title">{t("care:family.exportTitle")}</h2>
            <p>{t("care:family.exportNote")}</p>
            <FormErrors messages={exportErrors} />
            <div class="row">
              <button type="button" class="button" onClick={() => void downloadCsv()} data-testid="export-csv">
                {t("care:family.exportCsv")}
              </button>
              <a
                class="button"
                href={href(`/care/families/${props.id}/summary?period=${p.period}${p.compare ? "&compare=true" : ""}`)}
                data-testid="export-summary"
              >
                {t("care:family.exportSummary")}
              </a>
            </div>
          </section>
        </>
      ) : null}
    </Screen>
  );
}
