/**
 * "What {therapist} sees", for a member of the family: the therapist's dashboard for their grant,
 * limited by the server to what this member may see themselves.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { CareError } from "../../components/care/CareError";
import { Figures, PeriodPicker } from "../../components/care/Figures";
import { Loading, Screen } from "../../components/ui";
import { care } from "../../lib/api";
import { formatDate } from "../../lib/careFormat";
import { errorsOf, type ApiErrorItem } from "../../lib/errors";
import { t } from "../../lib/careWords";
import type { Preview } from "../../lib/types";
import { usePeriod } from "./CareFamily";

export default function CarePreview(props: { familyId: string; grantId: string }): JSX.Element {
  const p = usePeriod();
  const [data, setData] = useState<Preview | null>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  useEffect(() => {
    let live = true;
    setErrors([]);
    care
      .preview(props.familyId, props.grantId, { period: p.period, compare: p.compare })
      .then((d) => live && setData(d))
      .catch((err) => live && setErrors(errorsOf(err)));
    return () => {
      live = false;
    };
  }, [props.familyId, props.grantId, p.period, p.compare]);
  const name = data?.therapist_name ?? t("care:preview.yourTherapist");
  return (
    <Screen
      title={t("care:preview.title", { name })}
      testid="screen-care-preview"
      back={{ to: `/families/${props.familyId}`, label: t("care:preview.back") }}
      wide
    >
      <CareError errors={errors} />
      {data ? (
        <p class="lead">
          {data.scope === "details"
            ? t("care:preview.details", { name })
            : t("care:preview.metrics", { name })}
          {data.viewer_limited ? t("care:preview.limited") : ""}
        </p>
      ) : null}
      <PeriodPicker value={p.period} compare={p.compare} onChange={p.set} />
      {data === null && !errors.length ? <Loading /> : null}
      {data ? (
        <>
          <p>
            {t("care:preview.range", { from: formatDate(data.period.from_date), to: formatDate(data.period.to_date) })}
          </p>
          <Figures figures={data} previous={data.previous} label={data.label} timeZone={data.time_zone} />
        </>
      ) : null}
    </Screen>
  );
}
