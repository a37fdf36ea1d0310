/** Past ruptures, with repairs celebrated. No counts, streaks or scores: each repair stands alone. */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Loading, Screen, Time } from "../components/ui";
import { api } from "../lib/api";
import { errorsOf } from "../lib/errors";
import { feelingsOf } from "../lib/feelings";
import { myRole, otherName, statusLabel } from "../lib/model";
import { href } from "../lib/router";
import { useAppState } from "../lib/store";
import type { RuptureRow } from "../lib/types";
import { SafetyReviewCard } from "./Safety";
import { t } from "../lib/i18n";

export default function History(): JSX.Element {
  const s = useAppState();
  const [items, setItems] = useState<RuptureRow[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .ruptures()
      .then((p) => {
        setItems(p.results);
        setNext(p.next ?? null);
      })
      .catch((err) => setError(errorsOf(err)[0]?.message ?? t("rupture.loadFailed")));
  }, []);

  const more = async (): Promise<void> => {
    if (!next) return;
    setBusy(true);
    try {
      const p = await api.rupturesPage(next);
      setItems([...(items ?? []), ...p.results]);
      setNext(p.next ?? null);
    } catch (err) {
      setError(errorsOf(err)[0]?.message ?? t("rupture.loadFailed"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen title={t("history.title")} testid="screen-history" back={{ to: "/", label: t("common.home") }} lead={t("history.lead")}>
      {error ? <p role="alert">{error}</p> : null}
      {items === null && !error ? <Loading /> : null}
      {items && items.length === 0 ? <p>{t("history.empty")}</p> : null}
      <ul class="cards">
        {(items ?? []).map((r) => {
          if (r.status === "safety_review") {
            return (
              <li key={String(r.id)}>
                <SafetyReviewCard id={r.id} later />
              </li>
            );
          }
          const other = otherName(r, myRole(s.me, r.family));
          const repaired = r.status === "reconnected";
          const feelings = feelingsOf(r.feelings, s.feelings, s.me?.age_band).map((f) => f.label).join(", ");
          return (
            <li key={String(r.id)}>
              <a class={repaired ? "card card-link celebrate" : "card card-link"} href={href(`/ruptures/${String(r.id)}`)} data-testid={`history-item-${String(r.id)}`}>
                <span class="card-title">
                  {repaired ? <span class="emoji" aria-hidden="true">💚 </span> : null}
                  {repaired ? t("history.madeUp", { name: other }) : t("common.youAnd", { name: other })}
                </span>
                <span class={`status status-${r.status}`}>{statusLabel(r.status)}</span>
                {feelings ? <span class="card-sub">{t("history.felt", { feelings })}</span> : null}
                <Time iso={r.created_at} />
              </a>
            </li>
          );
        })}
      </ul>
      {next ? (
        <button type="button" class="button" disabled={busy} onClick={() => void more()} data-testid="history-more">
          {busy ? t("ui.loading") : t("history.more")}
        </button>
      ) : null}
    </Screen>
  );
}
