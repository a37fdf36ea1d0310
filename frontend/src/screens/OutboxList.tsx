/** "Waiting to send": what the outbox still holds for the person signed in. */

import type { JSX } from "preact";
import { outbox, flushOutbox, useAppState } from "../lib/store";
import type { OutboxItem } from "../lib/outbox";
import { t } from "../lib/i18n";

function describe(item: OutboxItem): string {
  if (item.label) return item.label;
  if (item.kind === "message") return t("outbox.message");
  if (item.kind === "unsafe") return t("outbox.unsafe");
  return t("outbox.flag");
}

export function OutboxList(props: { items: OutboxItem[]; title?: string }): JSX.Element {
  const s = useAppState();
  return (
    <section aria-labelledby="outbox-title" class="card" data-testid="outbox-pending">
      <h2 id="outbox-title">{props.title ?? t("outbox.title")}</h2>
      <ul class="plain">
        {props.items.map((item) => (
          <li key={item.key} data-testid="outbox-item" class="outbox-item">
            <span>{describe(item)}</span>{" "}
            {item.failed ? (
              <>
                <span class="status status-failed">{t("outbox.failed", { message: item.failed.errors[0]?.message ?? "" })}</span>{" "}
                <button type="button" class="link-button" onClick={() => void outbox.remove(item.key)}>
                  {t("common.remove")}
                </button>
              </>
            ) : (
              <span class="status status-waiting">{s.online ? t("outbox.soon") : t("outbox.offline")}</span>
            )}
          </li>
        ))}
      </ul>
      {s.online && props.items.some((i) => !i.failed) ? (
        <button type="button" class="button" data-testid="outbox-retry" onClick={() => void flushOutbox()}>
          {t("outbox.retry")}
        </button>
      ) : null}
    </section>
  );
}
