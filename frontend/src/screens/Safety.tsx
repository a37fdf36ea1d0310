/**
 * "I feel unsafe": sends an unsafe flag through the outbox (so it goes even offline) and at once
 * shows help: text and chat lines first, then calls and websites, with a quick exit that leaves
 * for a blank "Notes" page.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, urls } from "../lib/api";
import { can } from "../lib/model";
import { buildUnsafePayload, type FlagState } from "../lib/flagFlow";
import { normaliseHelp, type HelpLink } from "../lib/help";
import { quickExit } from "../lib/quickExit";
import { href, navigate } from "../lib/router";
import { getState, sendViaOutbox, setState, useAppState } from "../lib/store";
import type { HelpResources, Rupture } from "../lib/types";
import type { Id } from "../lib/types";
import { uuid } from "../lib/uuid";
import { Screen } from "../components/ui";
import { t } from "../lib/i18n";

const HELP_CACHE = "frh:help";

function cachedHelp(): HelpResources | null {
  try {
    const raw = localStorage.getItem(HELP_CACHE);
    return raw ? (JSON.parse(raw) as HelpResources) : null;
  } catch {
    return null;
  }
}

/**
 * `fallbackParent`: the server wants a parent on every child flag, even an unsafe one (which that
 * parent is never told about), so one is named when the child has not chosen.
 */
export function startUnsafe(flag: FlagState | null, familyId: string | null, fallbackParent: Id | null): void {
  navigate("/safety");
  const s = getState();
  if (!familyId || !s.me) return;
  const child = s.me.id;
  // A session that ended while sending took the flag's state with it (`forgetDevice`): nothing
  // of it may reappear for whoever signs in next on this phone.
  const stillSignedIn = (): boolean => getState().me?.id === child;
  setState({ unsafe: "sending" });
  void sendViaOutbox({
    key: uuid(),
    kind: "unsafe",
    url: urls.ruptures,
    body: buildUnsafePayload(flag, familyId, new Date(), fallbackParent),
    label: t("outbox.unsafe"),
  })
    .then((res) => {
      if (!stillSignedIn()) return;
      if (res.failed) {
        setState({ unsafe: "failed" });
        return;
      }
      setState({ unsafe: res.sent ? "sent" : "queued" });
      const help = (res.body as Rupture | null)?.help_resources;
      if (help) {
        setState({ help });
        try {
          localStorage.setItem(HELP_CACHE, JSON.stringify(help));
        } catch {
          // Shown now, just not remembered.
        }
      }
    })
    .catch(() => {
      if (stillSignedIn()) setState({ unsafe: "queued" });
    });
}

function Resource(props: { link: HelpLink }): JSX.Element {
  const l = props.link;
  const chat = l.kind === "chat";
  return (
    <li class="card help" data-testid="help-resource">
      <h3>{l.name}</h3>
      {l.href ? (
        <a class="button primary" href={l.href} rel="noopener noreferrer" target={chat ? "_blank" : undefined}>
          {l.how}
          {chat ? <span class="visually-hidden"> {t("safety.newPage")}</span> : null}
        </a>
      ) : (
        <p>
          <strong>{l.how}</strong>
        </p>
      )}
    </li>
  );
}

/** The help lines (text and chat first), or what to do when there are none. */
export function HelpList(props: { links: HelpLink[] }): JSX.Element {
  return props.links.length ? (
    <ul class="cards plain">
      {props.links.map((l) => (
        <Resource key={l.kind + l.name} link={l} />
      ))}
    </ul>
  ) : (
    <ul class="plain" data-testid="help-fallback">
      <li class="card">{t("safety.fallbackTalk")}</li>
      <li class="card">{t("safety.fallbackPlace")}</li>
    </ul>
  );
}

/**
 * A flag in safety review as a child's Home and History list it: neutral words and the way to
 * help, never the parent it names, its feelings or its note (a shared family device may be in
 * anyone's hands). Once a review lets the child decide whether the parent sees it (the flag's
 * `release_question`), a neutral "There's a question for you" leads to the flag, where it is
 * asked. After a "not now" it is not asked again; History (`later`) still leads to it, so the
 * choice to share stays the child's (`release` in `allowed_actions`).
 */
export function SafetyReviewCard(props: { id?: Id; later?: boolean }): JSX.Element {
  const [asks, setAsks] = useState<"question" | "later" | null>(null);
  useEffect(() => {
    if (props.id === undefined) return;
    let live = true;
    api
      .rupture(props.id)
      .then((r) => live && setAsks(r.release_question ? "question" : can(r, "release") ? "later" : null))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [props.id]);
  return (
    <div class="card" data-testid="safety-review-card">
      <span class="card-title">{t("safety.reviewWords")}</span>
      <span class="card-sub">{t("safety.rightThing")}</span>
      {props.id !== undefined && (asks === "question" || (asks === "later" && props.later)) ? (
        <a href={href(`/ruptures/${String(props.id)}`)} data-testid="release-question-link">
          {asks === "question" ? t("safety.questionForYou") : t("safety.sharingChoice")}
        </a>
      ) : null}
      <a href={href("/safety")} data-testid="safety-review-help">
        {t("safety.helpTitle")}
      </a>
    </div>
  );
}

export function Safety(): JSX.Element {
  const s = useAppState();
  const help = normaliseHelp(s.help ?? cachedHelp());
  return (
    <Screen title={t("safety.title")} testid="screen-safety">
      <button type="button" class="button quick-exit" data-testid="quick-exit" onClick={() => quickExit()}>
        {t("safety.quickExit")}
      </button>
      <p class="hint">{t("safety.quickExitHint")}</p>
      <p class="lead">{t("safety.lead")}</p>
      <p data-testid="help-emergency">
        <strong>{help.emergency ?? t("safety.emergency")}</strong>
      </p>
      {s.unsafe === "sending" ? <p role="status">{t("safety.sending")}</p> : null}
      {s.unsafe === "sent" ? (
        <p role="status" data-testid="unsafe-sent">
          {t("safety.sent")}
        </p>
      ) : null}
      {s.unsafe === "queued" ? (
        <p role="status" data-testid="unsafe-queued">
          {t("safety.queued")}
        </p>
      ) : null}
      {s.unsafe === "failed" ? <p role="alert">{t("safety.failed")}</p> : null}
      <section aria-labelledby="help-title">
        <h2 id="help-title">{t("safety.helpTitle")}</h2>
        <HelpList links={help.links} />
      </section>
    </Screen>
  );
}
