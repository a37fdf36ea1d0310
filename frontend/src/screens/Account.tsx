/** Account: own settings, download my data, delete my account, log out. */

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { MySettings } from "../components/MySettings";
import { FormErrors, Screen } from "../components/ui";
import { api } from "../lib/api";
import { errorsOf } from "../lib/errors";
import { primaryFamily } from "../lib/model";
import { href, navigate } from "../lib/router";
import { logOut, myOutbox, sessionEnded, useAppState } from "../lib/store";
import { t } from "../lib/i18n";

export default function Account(): JSX.Element {
  const s = useAppState();
  const [errors, setErrors] = useState<string[]>([]);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [confirmLogout, setConfirmLogout] = useState(false);
  const [busy, setBusy] = useState(false);
  const waiting = myOutbox(s).length;
  const family = primaryFamily(s.me);
  const role = family?.role ?? null;

  const download = async (): Promise<void> => {
    setErrors([]);
    try {
      const data = await api.exportMe();
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = "familyrepair-my-data.json";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    }
  };

  const remove = async (): Promise<void> => {
    setBusy(true);
    setErrors([]);
    try {
      await api.deleteMe();
      await sessionEnded();
      navigate("/login", { replace: true });
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    } finally {
      setBusy(false);
    }
  };

  const doLogout = async (): Promise<void> => {
    if (waiting && !confirmLogout) {
      setConfirmLogout(true);
      return;
    }
    await logOut().catch(() => undefined);
    navigate("/login", { replace: true });
  };

  return (
    <Screen title={t("shell.settings")} testid="screen-account" back={{ to: "/", label: t("common.home") }}>
      {role === "parent" && family ? (
        <p>
          <a href={href(`/families/${String(family.id)}`)} data-testid="family-settings-link">
            {t("account.familyLink")}
          </a>
        </p>
      ) : null}
      {role !== "child" ? (
        <section aria-labelledby="security-title">
          <h2 id="security-title">{t("account.signingIn")}</h2>
          <p>
            <a href={href("/account/security")} data-testid="security-link">
              {s.me?.mfa_enabled ? t("account.mfaOn") : t("account.mfaOff")}
            </a>
          </p>
        </section>
      ) : null}
      <MySettings />
      <section aria-labelledby="data-title">
        <h2 id="data-title">{t("account.data")}</h2>
        <FormErrors messages={errors} />
        <div class="stack">
          <button type="button" class="button" onClick={() => void download()} data-testid="export-data">
            {t("account.download")}
          </button>
          {confirmDelete ? (
            <div class="card">
              <p>{t("account.deleteWarning")}</p>
              <div class="row">
                <button type="button" class="button danger" disabled={busy} onClick={() => void remove()} data-testid="delete-account-confirm">
                  {t("account.deleteYes")}
                </button>
                <button type="button" class="button quiet" onClick={() => setConfirmDelete(false)}>
                  {t("account.keep")}
                </button>
              </div>
            </div>
          ) : (
            <button type="button" class="button danger" onClick={() => setConfirmDelete(true)} data-testid="delete-account">
              {t("account.delete")}
            </button>
          )}
        </div>
      </section>
      <section aria-labelledby="logout-title">
        <h2 id="logout-title">{t("account.logout")}</h2>
        {role === "child" ? (
          <p class="hint">{t("account.childLogout")}</p>
        ) : null}
        {confirmLogout ? (
          <p role="alert">
            {t("account.unsent", { count: waiting })}
          </p>
        ) : null}
        <button type="button" class="button quiet" onClick={() => void doLogout()} data-testid="logout">
          {confirmLogout ? t("account.logoutAnyway") : t("account.logout")}
        </button>
      </section>
    </Screen>
  );
}
