/** Code-splitting for screens that are not needed on first load (all are still precached). */

import type { ComponentType, JSX } from "preact";
import { useEffect, useState } from "preact/hooks";

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
            <h1>This page could not open</h1>
            <p>Please check your connection and try again.</p>
            <button type="button" class="button" onClick={() => location.reload()}>
              Try again
            </button>
          </>
        ) : (
          <p class="loading" role="status">
            Loading…
          </p>
        )}
      </main>
    );
  };
}
