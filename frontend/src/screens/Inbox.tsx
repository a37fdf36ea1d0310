/** Notifications: open one to read it (and mark it read), or mark all read. */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { FormErrors, Loading, Screen, Time } from "../components/ui";
import { api } from "../lib/api";
import { errorsOf } from "../lib/errors";
import { navigate } from "../lib/router";
import { setState } from "../lib/store";
import type { NotificationItem } from "../lib/types";
import { t } from "../lib/i18n";

export default function Inbox(): JSX.Element {
  const [items, setItems] = useState<NotificationItem[] | null>(null);
  const [errors, setErrors] = useState<string[]>([]);

  const load = (): void => {
    api
      .notifications()
      .then((d) => {
        const list = d.results;
        setItems(list);
        setState({ unread: list.filter((n) => !n.read_at).length });
      })
      .catch((err) => setErrors(errorsOf(err).map((e) => e.message)));
  };
  useEffect(load, []);

  const open = async (n: NotificationItem): Promise<void> => {
    if (!n.read_at) await api.readNotification(n.id).catch(() => undefined);
    if (n.rupture !== null) navigate(`/ruptures/${String(n.rupture)}`);
    else if (n.kind === "reflection") navigate("/reflection");
    else load();
  };

  const readAll = async (): Promise<void> => {
    try {
      await api.readAllNotifications();
      load();
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    }
  };

  const unread = (items ?? []).filter((n) => !n.read_at).length;
  return (
    <Screen title={t("shell.inbox")} testid="screen-inbox" back={{ to: "/", label: t("common.home") }}>
      <FormErrors messages={errors} />
      {items === null && !errors.length ? <Loading /> : null}
      {items && items.length === 0 ? <p>{t("inbox.empty")}</p> : null}
      {unread > 0 ? (
        <button type="button" class="button quiet" onClick={() => void readAll()} data-testid="read-all">
          {t("inbox.readAll")}
        </button>
      ) : null}
      <ul class="cards">
        {(items ?? []).map((n) => (
          <li key={String(n.id)}>
            <button type="button" class={n.read_at ? "card card-link notification" : "card card-link notification unread"} data-testid={`notification-${String(n.id)}`} onClick={() => void open(n)}>
              <span class="card-title">
                {n.read_at ? null : <span class="visually-hidden">{t("inbox.new")} </span>}
                {n.title}
              </span>
              <span>{n.body}</span>
              <Time iso={n.created_at} />
            </button>
          </li>
        ))}
      </ul>
    </Screen>
  );
}
