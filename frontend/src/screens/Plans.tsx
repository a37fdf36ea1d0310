/**
 * "Our plans": what the reader and each child (or parent) said would help next time, newest first,
 * grouped by pair. Only the two in a pair see their plans (the server's rule); `child` or `parent`
 * in the route narrows it to one pair.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Loading, Screen, Time } from "../components/ui";
import { api } from "../lib/api";
import { errorsOf } from "../lib/errors";
import { primaryFamily } from "../lib/model";
import { href } from "../lib/router";
import { useAppState } from "../lib/store";
import type { PlanRow, Side } from "../lib/types";
import { t } from "../lib/i18n";

export default function Plans(props: { family: string | null; child: string | null; parent: string | null }): JSX.Element {
  const s = useAppState();
  const familyId = props.family ?? (primaryFamily(s.me) ? String(primaryFamily(s.me)?.id) : null);
  const [rows, setRows] = useState<PlanRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!familyId) return;
    const pair = props.child ? { child: props.child } : props.parent ? { parent: props.parent } : {};
    api
      .plans(familyId, pair)
      .then(setRows)
      .catch((err) => setError(errorsOf(err)[0]?.message ?? t("rupture.loadFailed")));
  }, [familyId, props.child, props.parent]);

  const meId = s.me ? String(s.me.id) : "";
  const mySide = (row: PlanRow): Side => (String(row.child.id) === meId ? "child" : "parent");
  const other = (row: PlanRow): string => (mySide(row) === "child" ? row.parent.display_name : row.child.display_name);
  const pairs = new Map<string, PlanRow[]>();
  for (const row of rows ?? []) pairs.set(other(row), [...(pairs.get(other(row)) ?? []), row]);

  return (
    <Screen title={t("plans.title")} testid="screen-plans" back={{ to: "/", label: t("common.home") }} lead={t("plans.lead")}>
      {error ? <p role="alert">{error}</p> : null}
      {rows === null && !error ? <Loading /> : null}
      {rows && rows.length === 0 ? <p data-testid="plans-empty">{t("plans.empty")}</p> : null}
      {[...pairs.entries()].map(([name, items]) => (
        <section key={name} aria-label={t("common.youAnd", { name })}>
          <h2>{t("common.youAnd", { name })}</h2>
          <ul class="cards">
            {items.map((row) => (
              <li key={String(row.rupture)}>
                <a class="card card-link" href={href(`/ruptures/${String(row.rupture)}`)} data-testid={`plan-row-${String(row.rupture)}`}>
                  {(["parent", "child"] as const)
                    .filter((who) => row.plan[who] !== "")
                    .map((who) => (
                      <span class="card-sub" key={who}>
                        {t("rupture.planWho", { name: who === mySide(row) ? t("common.you") : row[who].display_name })} {row.plan[who]}
                      </span>
                    ))}
                  <Time iso={row.plan.updated_at ?? row.occurred_at} />
                </a>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </Screen>
  );
}
