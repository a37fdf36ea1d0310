/**
 * "Add to Home Screen" guidance. iPhone and iPad only allow notifications for web apps that were
 * added to the home screen, and only Safari can add them; other browsers get their own install
 * button through `beforeinstallprompt`.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { currentNeedsIosInstallHint, isIosSafari, type NavigatorLike } from "../lib/platform";
import { t } from "../lib/i18n";

interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
}

let deferred: InstallPromptEvent | null = null;
const waiting = new Set<() => void>();
if (typeof window !== "undefined") {
  window.addEventListener("beforeinstallprompt", (e) => {
    e.preventDefault();
    deferred = e as InstallPromptEvent;
    for (const w of waiting) w();
  });
}

const DISMISS_KEY = "fr-install-hint-dismissed";
const STARTS_KEY = "fr-starts";

/**
 * How many times the app has been opened in this browser, this one included. The install card
 * waits for the second: asking a newcomer to install before they have used anything is a nag
 * (and a late, large card moved the first screen under their thumb).
 */
function countStart(): number {
  try {
    const starts = Number(localStorage.getItem(STARTS_KEY) ?? "0") + 1;
    localStorage.setItem(STARTS_KEY, String(starts));
    return starts;
  } catch {
    return 1;
  }
}
const starts = typeof window === "undefined" ? 1 : countStart();

export function InstallHint(props: { force?: boolean }): JSX.Element | null {
  const [dismissed, setDismissed] = useState(() => {
    try {
      return !props.force && localStorage.getItem(DISMISS_KEY) === "1";
    } catch {
      return false;
    }
  });
  const [canPrompt, setCanPrompt] = useState(deferred !== null);
  useEffect(() => {
    const w = (): void => setCanPrompt(true);
    waiting.add(w);
    return () => {
      waiting.delete(w);
    };
  }, []);

  const dismiss = (): void => {
    try {
      localStorage.setItem(DISMISS_KEY, "1");
    } catch {
      // Shown again next time.
    }
    setDismissed(true);
  };

  if (dismissed) return null;

  if (currentNeedsIosInstallHint()) {
    const safari = isIosSafari(navigator as unknown as NavigatorLike);
    return (
      <section class="card install-hint" aria-labelledby="install-hint-title" data-testid="ios-install-hint">
        <h2 id="install-hint-title">{t("install.iosTitle")}</h2>
        {safari ? (
          <ol>
            <li>
              {t("install.step1Before")}
              <strong>{t("install.share")}</strong> <span aria-hidden="true">{t("install.shareIcon")}</span>
              {t("install.step1After")}
            </li>
            <li>
              {t("install.step2Before")}
              <strong>{t("install.addToHome")}</strong>.
            </li>
            <li>
              {t("install.step3Before")}
              <strong>{t("install.add")}</strong>
              {t("install.step3After")}
            </li>
          </ol>
        ) : (
          <p>{t("install.notSafari")}</p>
        )}
        <p>{t("install.iosPush")}</p>
        {props.force ? null : (
          <button type="button" class="button" onClick={dismiss}>
            {t("install.gotIt")}
          </button>
        )}
      </section>
    );
  }

  if (canPrompt && deferred && starts > 1) {
    return (
      <section class="card install-hint" aria-labelledby="install-hint-title" data-testid="install-hint">
        <h2 id="install-hint-title">{t("install.title")}</h2>
        <p>{t("install.lead")}</p>
        <div class="row">
          <button
            type="button"
            class="button primary"
            data-testid="install-app"
            onClick={() => {
              void deferred?.prompt();
              deferred = null;
              setCanPrompt(false);
            }}
          >
            {t("install.install")}
          </button>
          <button type="button" class="button" onClick={dismiss}>
            {t("common.notNow")}
          </button>
        </div>
      </section>
    );
  }
  return null;
}
