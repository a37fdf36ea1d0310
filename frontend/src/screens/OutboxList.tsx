/** "Waiting to send": what the outbox still holds for the person signed in. */

import type { JSX } from "preact";
import { outbox, flushOutbox, useAppState } from "../lib/store";
import type { OutboxItem } from "../lib/outbox";

function describe(item: OutboxItem): string {
  if (item.label) return item.label;
  if (item.kind === "message") return "Your message";
  if (item.kind === "unsafe") return "Your \"I feel unsafe\" message";
  return "What you told your parent";
}

export function OutboxList(props: { items: OutboxItem[]; title?: string }): JSX.Element {
  const s = useAppState();
  return (
    <section aria-labelledby="outbox-title" class="card" data-testid="outbox-pending">
      <h2 id="outbox-title">{props.title ?? "Waiting to send"}</h2>
      <ul class="plain">
        {props.items.map((item) => (
          <li key={item.key} data-testid="outbox-item" class="outbox-item">
            <span>{describe(item)}</span>{" "}
            {item.failed ? (
              <>
                <span class="status status-failed">Could not be sent: {item.failed.errors[0]?.message}</span>{" "}
                <button type="button" class="link-button" onClick={() => void outbox.remove(item.key)}>
                  Remove
                </button>
              </>
            ) : (
              <span class="status status-waiting">{s.online ? "Sending soon" : "Waiting for a connection"}</span>
            )}
          </li>
        ))}
      </ul>
      {s.online && props.items.some((i) => !i.failed) ? (
        <button type="button" class="button" data-testid="outbox-retry" onClick={() => void flushOutbox()}>
          Try sending now
        </button>
      ) : null}
    </section>
  );
}
