/**
 * The printable one-page summary of a family for a period (GET …/summary/, logged by the server):
 * the same figures as tables only, with a print stylesheet (app.css, `@media print`) that drops
 * the app's header and buttons and fits one page.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { CareError } from "../../components/care/CareError";
import { Figures } from "../../components/care/Figures";
import { Loading, Screen, Time } from "../../components/ui";
import { care } from "../../lib/api";
import { formatDate } from "../../lib/careFormat";
import { errorsOf, type ApiErrorItem } from "../../lib/errors";
import { t } from "../../lib/careWords";
import type { Summary } from "../../lib/types";
import { usePeriod } from "./CareFamily";

export default function CareSummary(props: { id: string; query: URLSearchParams }): JSX.Element {
  const p = usePeriod(props.query);
  const [data, setData] = useState<Summary | null>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  useEffect(() => {
    care
      .summary(props.id, { period: p.period, compare: p.compare })
      .then(setData)
      .catch((err) => setErrors(errorsOf(err)));
  }, [props.id]);
  return (
    <Screen
      title={data ? t("care:summary.title", { family: data.family.name }) : t("care:summary.fallbackTitle")}
      testid="screen-care-summary"
      back={{ to: `/care/families/${props.id}`, label: t("care:summary.back") }}
      wide
    >
      <CareError errors={errors} />
      {data === null && !errors.length ? <Loading /> : null}
      {data ? (
        <div class="print-summary">
          <p class="lead">
            {t("care:summary.lead", { from: formatDate(data.period.from_date), to: formatDate(data.period.to_date), therapist: data.therapist_name })}
            <Time iso={data.generated_at} />
          </p>
          <p class="no-print">
            <button type="button" class="button primary" onClick={() => window.print()} data-testid="print-summary">
              {t("care:summary.print")}
            </button>
          </p>
          <Figures figures={data} previous={data.previous} label={data.label} timeZone={data.time_zone} print />
        </div>
      ) : null}
    </Screen>
  );
}
