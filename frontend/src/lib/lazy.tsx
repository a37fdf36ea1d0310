/** Code-splitting for screens that are not needed on first load (all are still precached). */

import type { ComponentType, JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "./i18n";

export function lazyScreen<P extends object>(
  load: () => Promise<{ default: ComponentType<P> }>,
): (props: P) => JSX.Element {
  let Loaded: ComponentType<P> | null = null;
  let pending: Promise<void> | null = null;
  return function LazyScreen(props: P): JSX.Element {
    const [, setReady] = useState(Loaded !== null);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Loaded) return;
      let live = true;
      pending ??= load().then((m) => {
        Loaded = m.default;
      });
      pending.then(
        () => live && setReady(true),
        () => {
          pending = null;
          if (live) setFailed(true);
        },
      );
      return () => {
        live = false;
      };
    }, []);
    if (Loaded) {
      const C = Loaded;
      return <C {...props} />;
    }
    return (
      <main id="main" class="screen">
        {failed ? (
          <>
            <h1>{t("lazy.failedTitle")}</h1>
            <p>{t("lazy.failedBody")}</p>
            <button type="button" class="button" onClick={() => location.reload()}>
              {t("common.tryAgain")}
            </button>
          </>
        ) : (
          <p class="loading" role="status">
            {t("ui.loading")}
          </p>
        )}
      </main>
    );
  };
}

/**
 * A therapist's screen: its code and its words (lib/careWords.ts) in the language shown, before
 * it renders, so a Spanish desk never flashes English. A family's device never fetches either.
 */
export function careScreen<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): (props: P) => JSX.Element {
  return lazyScreen(async () => {
    const [screen, words] = await Promise.all([load(), import("./careWords")]);
    await words.careWordsReady;
    return screen;
  });
}
