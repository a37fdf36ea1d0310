/**
 * "Add to Home Screen" guidance. iPhone and iPad only allow notifications for web apps that were
 * added to the home screen, and only Safari can add them; other browsers get their own install
 * button through `beforeinstallprompt`.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { currentNeedsIosInstallHint, isIosSafari, type NavigatorLike } from "../lib/platform";

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
        <h2 id="install-hint-title">Add FamilyRepair to your Home Screen</h2>
        {safari ? (
          <ol>
            <li>
              Tap the <strong>Share</strong> button <span aria-hidden="true">(the square with an arrow pointing up)</span> at the
              bottom of Safari.
            </li>
            <li>
              Scroll down and tap <strong>Add to Home Screen</strong>.
            </li>
            <li>
              Tap <strong>Add</strong>, then open FamilyRepair from your Home Screen.
            </li>
          </ol>
        ) : (
          <p>Open this page in Safari, then tap Share and choose Add to Home Screen.</p>
        )}
        <p>On iPhone and iPad, notifications only work once FamilyRepair is on your Home Screen.</p>
        {props.force ? null : (
          <button type="button" class="button" onClick={dismiss}>
            Got it
          </button>
        )}
      </section>
    );
  }

  if (canPrompt && deferred && starts > 1) {
    return (
      <section class="card install-hint" aria-labelledby="install-hint-title" data-testid="install-hint">
        <h2 id="install-hint-title">Keep FamilyRepair on your phone</h2>
        <p>Install it to open it like an app, even without a connection.</p>
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
            Install
          </button>
          <button type="button" class="button" onClick={dismiss}>
            Not now
          </button>
        </div>
      </section>
    );
  }
  return null;
}
