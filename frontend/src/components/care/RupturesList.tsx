/**
 * With `details` scope (the dashboard's `can_open_words`), the period's ruptures listed without
 * their words (GET /ruptures/?family=, the list rows carry no note or messages), each opened one at
 * a time on its own read-only screen (CareRupture). Listing and each open are in the family's
 * access log; records a child opted out of never reach the therapist (the server withholds them).
 * Loaded only when the therapist asks, so a dashboard view is not a read of the list.
 */

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { FormErrors, Time } from "../ui";
import { api } from "../../lib/api";
import { errorsOf } from "../../lib/errors";
import { t } from "../../lib/careWords";
import { statusLabel } from "../../lib/model";
import { href } from "../../lib/router";
import type { RuptureRow } from "../../lib/types";

function inPeriod(r: RuptureRow, from: string, to: string): boolean {
  const day = r.occurred_at.slice(0, 10);
  return day >= from && day <= to;
}

export function RupturesList(props: { familyId: string; from: string; to: string }): JSX.Element {
  const [rows, setRows] = useState<RuptureRow[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  const load = async (url: string | null): Promise<void> => {
    setBusy(true);
    setErrors([]);
    try {
      const page = url ? await api.rupturesPage(url) : await api.ruptures({ family: props.familyId });
      setRows((before) => [...(url ? (before ?? []) : []), ...page.results]);
      // Newest first: once a page reaches before the period, the rest is older still.
      const older = page.results.some((r) => r.occurred_at.slice(0, 10) < props.from);
      setNext(older ? null : (page.next ?? null));
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    } finally {
      setBusy(false);
    }
  };

  const shown = (rows ?? []).filter((r) => inPeriod(r, props.from, props.to));
  return (
    <section aria-labelledby="words-title" class="card" data-testid="care-ruptures">
      <h2 id="words-title">{t("care:words.title")}</h2>
      <p>{t("care:words.intro")}</p>
      <FormErrors messages={errors} />
      {rows === null ? (
        <button type="button" class="button" disabled={busy} onClick={() => void load(null)} data-testid="care-ruptures-load">
          {busy ? t("care:words.loading") : t("care:words.load")}
        </button>
      ) : (
        <>
          {shown.length === 0 ? <p data-testid="care-ruptures-empty">{t("care:words.empty")}</p> : null}
          <ul class="cards">
            {shown.map((r) => (
              <li key={String(r.id)}>
                <a class="card card-link" href={href(`/care/families/${props.familyId}/ruptures/${String(r.id)}`)} data-testid={`care-rupture-${String(r.id)}`}>
                  <span class="card-title">{t("care:figures.pair", { parent: r.parent.display_name, child: r.child.display_name })}</span>
                  <span class={`status status-${r.status}`}>{statusLabel(r.status)}</span>
                  <Time iso={r.occurred_at} />
                </a>
              </li>
            ))}
          </ul>
          {next ? (
            <button type="button" class="button" disabled={busy} onClick={() => void load(next)} data-testid="care-ruptures-more">
              {busy ? t("care:words.loading") : t("care:words.more")}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}
