/**
 * Home: what is open, and the one big next step. A child sees one "Tell …" button per parent
 * (the first of the three taps) and, below, "I want to make it right" toward a parent; a parent
 * sees "I want to make this right". Both reach "Our plans".
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { InstallHint } from "../components/InstallHint";
import { ReadAloud } from "../components/ReadAloud";
import { ReflectionSuggestion } from "../components/Reflection";
import { Loading, Screen, Time } from "../components/ui";
import { api } from "../lib/api";
import { feelingsOf } from "../lib/feelings";
import { childrenOf, isOpen, otherName, parentsOf, primaryFamily, statusLabel } from "../lib/model";
import { href, navigate } from "../lib/router";
import { loadMembers, myOutbox, useAppState } from "../lib/store";
import type { Member, RuptureRow, Side } from "../lib/types";
import { OutboxList } from "./OutboxList";
import { SafetyReviewCard, startUnsafe } from "./Safety";
import { careScreen } from "../lib/lazy";
import { t } from "../lib/i18n";

/** Therapist code loads only for therapists: the family's first load stays small. */
const TherapistHome = careScreen(() => import("./care/TherapistHome"));

const OPEN_CACHE = "fr:open";

/** A flag in safety review, as Home keeps it: its id alone, so nothing names the parent. */
interface HeldRow {
  id: number;
  held: true;
}
type OpenRow = RuptureRow | HeldRow;

function openRows(rows: readonly RuptureRow[]): OpenRow[] {
  return rows.flatMap((r): OpenRow[] => (r.status === "safety_review" ? [{ id: r.id, held: true }] : isOpen(r.status) ? [r] : []));
}

/** The open ruptures, loaded again whenever the outbox delivers something (a flag sent late). */
function useOpenRuptures(familyId: string | null, delivered: number): { items: OpenRow[] | null; error: boolean } {
  const [items, setItems] = useState<OpenRow[] | null>(() => {
    try {
      const raw = localStorage.getItem(OPEN_CACHE);
      return raw ? (JSON.parse(raw) as OpenRow[]) : null;
    } catch {
      return null;
    }
  });
  const [error, setError] = useState(false);
  useEffect(() => {
    if (!familyId) return;
    let live = true;
    api
      .ruptures({ family: familyId })
      .then((page) => {
        const open = openRows(page.results);
        try {
          localStorage.setItem(OPEN_CACHE, JSON.stringify(open));
        } catch {
          // Offline view just shows less.
        }
        if (live) {
          setItems(open);
          setError(false);
        }
      })
      .catch(() => live && setError(true));
    return () => {
      live = false;
    };
  }, [familyId, delivered]);
  return { items, error };
}

function OpenList(props: { items: OpenRow[] | null; error: boolean; side: Side }): JSX.Element {
  const s = useAppState();
  if (props.items === null) return props.error ? <p>{t("home.loadFailed")}</p> : <Loading />;
  if (props.items.length === 0) {
    return <p data-testid="nothing-open">{t("home.nothingOpen")}</p>;
  }
  return (
    <ul class="cards">
      {props.items.map((r) => {
        if ("held" in r) {
          return (
            <li key={String(r.id)}>
              <SafetyReviewCard id={r.id} />
            </li>
          );
        }
        const other = otherName(r, props.side);
        const feelings = feelingsOf(r.feelings, s.feelings, s.me?.age_band).map((f) => f.label).join(", ");
        return (
          <li key={String(r.id)}>
            <a class="card card-link" href={href(`/ruptures/${String(r.id)}`)} data-testid={`open-rupture-${String(r.id)}`}>
              <span class="card-title">{props.side === "child" ? t("common.youAnd", { name: other }) : other}</span>
              <span class={`status status-${r.status}`}>{statusLabel(r.status)}</span>
              {feelings ? <span class="card-sub">{t("home.feeling", { feelings })}</span> : null}
              <Time iso={r.created_at} />
            </a>
          </li>
        );
      })}
    </ul>
  );
}

/** "Tell Mum I'm hurt": for a child under 8, with a picture and a voice, so no reading is needed. */
function TellButton(props: { parent: Member; familyId: string; testid: string; little: boolean }): JSX.Element {
  const words = t("home.tell", { parent: props.parent.display_name });
  const link = (
    <a
      class={props.little ? "button primary big button-little" : "button primary big"}
      href={href(`/flag?family=${props.familyId}&parent=${String(props.parent.id)}`)}
      data-testid={props.testid}
    >
      {props.little ? <span class="emoji" aria-hidden="true">🤕 </span> : null}
      {words}
    </a>
  );
  if (!props.little) return link;
  return (
    <div class="with-voice">
      {link}
      <ReadAloud text={words} label={t("common.hear", { words })} testid={`hear-${props.testid}`} />
    </div>
  );
}

export function Home(): JSX.Element {
  const s = useAppState();
  const me = s.me;
  const family = primaryFamily(me);
  const familyId = family ? String(family.id) : null;
  const members = familyId ? (s.members[familyId] ?? []) : [];
  const role = family?.role ?? null;
  const { items, error } = useOpenRuptures(familyId, s.delivered);

  useEffect(() => {
    if (familyId && !s.members[familyId]) void loadMembers(familyId).catch(() => undefined);
  }, [familyId]);

  if (!me) return <Screen title="FamilyRepair" testid="screen-home"><Loading /></Screen>;
  const meId = String(me.id);
  const hello = me.display_name ? t("home.hello", { name: me.display_name }) : t("home.hi");
  const waiting = myOutbox(s);

  if (me.is_therapist && !family) return <TherapistHome me={me} />;

  if (!family) {
    return (
      <Screen title={hello} testid="screen-home" lead={t("home.setUp")}>
        <InstallHint />
        <div class="stack">
          <a class="button primary big" href={href("/families/new")} data-testid="create-family-link">
            {t("home.createFamily")}
          </a>
          <a class="button big" href={href("/invite")} data-testid="join-family-link">
            {t("home.haveInvite")}
          </a>
          <a href={href("/therapist/join")} data-testid="therapist-join-link">
            {t("home.therapist")}
          </a>
        </div>
      </Screen>
    );
  }

  if (role === "child") {
    const parents = parentsOf(members, meId);
    const little = me.young_child;
    return (
      <Screen title={hello} testid="screen-home">
        <section aria-labelledby="tell-title" class="stack">
          <h2 id="tell-title">{t("home.hurtTitle")}</h2>
          {parents.length === 0 && members.length === 0 ? (
            // As tall as the button it stands for, so nothing below jumps when it arrives.
            <p class="loading button-placeholder" role="status">
              {t("ui.loading")}
            </p>
          ) : null}
          {parents.length === 1 && parents[0] ? (
            <TellButton parent={parents[0]} familyId={String(family.id)} testid="flag-start" little={little} />
          ) : (
            parents.map((p) => (
              <TellButton key={String(p.id)} parent={p} familyId={String(family.id)} testid={`flag-parent-${String(p.id)}`} little={little} />
            ))
          )}
          <button
            type="button"
            class="button unsafe"
            data-testid="unsafe-button"
            onClick={() => startUnsafe(null, familyId, parents[0]?.id ?? null)}
          >
            {t("common.unsafe")}
          </button>
        </section>
        {parents.length ? (
          <section aria-labelledby="make-right-title" class="stack">
            <h2 id="make-right-title">{t("home.hurtSomeone")}</h2>
            <a
              class="button big"
              href={href(parents.length === 1 && parents[0] ? `/make-right?family=${familyId}&parent=${String(parents[0].id)}` : `/make-right?family=${familyId}`)}
              data-testid="child-make-right-start"
            >
              {parents.length === 1 && parents[0] ? t("home.makeItRightWith", { parent: parents[0].display_name }) : t("home.makeItRight")}
            </a>
          </section>
        ) : null}
        {waiting.length ? <OutboxList items={waiting} /> : null}
        <section aria-labelledby="open-title">
          <h2 id="open-title">{t("home.open")}</h2>
          <OpenList items={items} error={error} side="child" />
        </section>
        <ul class="link-list">
          <li>
            <a href={href("/history")} data-testid="history-link">
              {t("home.history")}
            </a>
          </li>
          <li>
            <a href={href(`/plans?family=${familyId}`)} data-testid="plans-home-link">
              {t("home.plans")}
            </a>
          </li>
          <li>
            <a href={href("/privacy")} data-testid="privacy-link">
              {t("home.privacy")}
            </a>
          </li>
        </ul>
        <InstallHint />
      </Screen>
    );
  }

  const kids = childrenOf(members, meId);
  return (
    <Screen title={hello} testid="screen-home">
      <section aria-labelledby="open-title">
        <h2 id="open-title">{t("home.open")}</h2>
        <OpenList items={items} error={error} side="parent" />
      </section>
      <div class="stack">
        <button
          type="button"
          class="button primary big"
          data-testid="make-right-start"
          onClick={() =>
            navigate(kids.length === 1 && kids[0] ? `/make-right?family=${familyId}&child=${String(kids[0].id)}` : `/make-right?family=${familyId}`)
          }
        >
          {t("home.makeThisRight")}
        </button>
      </div>
      <ReflectionSuggestion />
      {waiting.length ? <OutboxList items={waiting} /> : null}
      <InstallHint />
      <ul class="link-list">
        <li>
          <a href={href("/history")} data-testid="history-link">
            {t("home.repairs")}
          </a>
        </li>
        <li>
          <a href={href(`/plans?family=${familyId}`)} data-testid="plans-home-link">
            {t("home.plans")}
          </a>
        </li>
        <li>
          <a href={href(`/families/${familyId}`)} data-testid="family-settings-link">
            {t("common.familySettings")}
          </a>
        </li>
      </ul>
      {(me.families.length > 1) ? (
        <section aria-labelledby="families-title">
          <h2 id="families-title">{t("home.families")}</h2>
          <ul class="link-list">
            {me.families.map((f) => (
              <li key={String(f.id)}>
                <a href={href(`/families/${String(f.id)}`)}>{f.name}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Screen>
  );
}

