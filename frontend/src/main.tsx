import { render } from "preact";
import "./app.css";
import { App } from "./App";
import { setLocale } from "./lib/i18n";
import { boot, flushOutbox, outbox, setState, startingLocale } from "./lib/store";

function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;

  navigator.serviceWorker.addEventListener("message", (event: MessageEvent) => {
    const data = event.data as { type?: string; url?: string } | null;
    if (data?.type === "outbox-changed") outbox.notify();
    if (data?.type === "navigate" && data.url) {
      const target = new URL(data.url, location.origin);
      if (target.origin === location.origin) location.hash = target.hash || "#/";
    }
  });

  // Reload only when a new version takes over, not when the first one claims this page.
  const hadController = navigator.serviceWorker.controller !== null;
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !hadController) return;
    reloading = true;
    location.reload();
  });

  const offerUpdate = (worker: ServiceWorker): void => {
    setState({ updateReady: () => worker.postMessage({ type: "SKIP_WAITING" }) });
  };

  window.addEventListener("load", () => {
    navigator.serviceWorker
      .register("/sw.js", { scope: "/" })
      .then((reg) => {
        if (reg.waiting && navigator.serviceWorker.controller) offerUpdate(reg.waiting);
        reg.addEventListener("updatefound", () => {
          const worker = reg.installing;
          worker?.addEventListener("statechange", () => {
            if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
          });
        });
      })
      .catch(() => undefined);
  });
}

// The first render is in the person's language (a Spanish catalog is fetched first, once).
void setLocale(startingLocale()).finally(() => {
  const root = document.getElementById("app");
  if (root) render(<App />, root);
  void boot().then(() => flushOutbox().catch(() => undefined));
});
registerServiceWorker();
