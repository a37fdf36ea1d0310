import type { JSX } from "preact";
import { AuthForm } from "../components/AuthForm";
import { LanguagePicker } from "../components/LanguagePicker";
import { FormErrors, Screen, useSubmit } from "../components/ui";
import * as auth from "../lib/auth";
import { follow } from "../lib/authFlows";
import { ApiError } from "../lib/errors";
import { loginWithPasskey } from "../lib/mfa";
import { passkeysSupported } from "../lib/webauthn";
import { href } from "../lib/router";
import { useAppState } from "../lib/store";
import { t } from "../lib/i18n";

export function Login(): JSX.Element {
  const s = useAppState();
  const passkey = useSubmit([]);
  const withPasskey = (): Promise<void> =>
    passkey.run(async () => {
      await auth.prepare();
      const result = await loginWithPasskey();
      if (result === null) return; // they cancelled the browser's prompt: the form is still here
      if (!(await follow(result, { whenSignedOut: null }))) {
        throw new ApiError({ status: 401, errors: [{ code: "not_authenticated", message: t("login.passkeyFailed"), param: null }] });
      }
    });
  const logIn = async (v: Record<string, string>): Promise<void> => {
    if (!(await follow(await auth.login(v["email"] ?? "", v["password"] ?? ""), { whenSignedOut: null }))) {
      throw new ApiError({ status: 401, errors: [{ code: "not_authenticated", message: t("login.failed"), param: null }] });
    }
  };

  return (
    <Screen title={t("login.title")} testid="screen-login" lead={t("login.lead")}>
      {!s.online ? <p class="note">{t("login.offline")}</p> : null}
      <AuthForm
        fields={[
          { name: "email", label: t("auth.email"), type: "email", autoComplete: "email", testid: "login-email" },
          { name: "password", label: t("auth.password"), type: "password", autoComplete: "current-password", testid: "login-password" },
        ]}
        submit={{ label: t("login.submit"), busy: t("login.busy"), testid: "login-submit" }}
        onSubmit={logIn}
      />
      {passkeysSupported() ? (
        <section aria-labelledby="login-passkey-title">
          <h2 id="login-passkey-title">{t("login.passkeyTitle")}</h2>
          <FormErrors messages={passkey.general} testid="login-passkey-errors" />
          <button type="button" class="button" disabled={passkey.busy || !s.online} onClick={() => void withPasskey()} data-testid="login-passkey">
            {passkey.busy ? t("login.passkeyBusy") : t("login.passkey")}
          </button>
        </section>
      ) : null}
      <ul class="link-list">
        <li>
          <a href={href("/signup")} data-testid="signup-link">
            {t("login.signup")}
          </a>
        </li>
        <li>
          <a href={href("/reset-password")} data-testid="reset-link">
            {t("login.forgot")}
          </a>
        </li>
        <li>
          <a href={href("/pair")} data-testid="pair-link">
            {t("login.pair")}
          </a>
        </li>
      </ul>
      <LanguagePicker />
    </Screen>
  );
}
