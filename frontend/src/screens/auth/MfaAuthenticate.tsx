/**
 * The second step of logging in (allauth's pending `mfa_authenticate` flow): a passkey, a code
 * from the authenticator app, or one of the recovery codes, whichever the account has.
 */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { AuthForm } from "../../components/AuthForm";
import { FormErrors, Loading, Screen, useSubmit } from "../../components/ui";
import { follow } from "../../lib/authFlows";
import * as mfa from "../../lib/mfa";
import { href } from "../../lib/router";
import { passkeysSupported } from "../../lib/webauthn";
import { t } from "../../lib/i18n";

export default function MfaAuthenticate(): JSX.Element {
  const [types, setTypes] = useState<mfa.AuthenticatorType[] | null>(null);
  const [useRecovery, setUseRecovery] = useState(false);
  const passkey = useSubmit([]);

  useEffect(() => {
    mfa
      .pendingTypes()
      .then((t) => (t === null ? void follow({ kind: "anonymous" }) : setTypes(t)))
      .catch(() => setTypes([]));
  }, []);

  const withPasskey = (): Promise<void> =>
    passkey.run(async () => {
      const result = await mfa.authenticateWithPasskey();
      if (result) await follow(result);
    });

  if (types === null) {
    return (
      <Screen title={t("mfa.title")} testid="screen-mfa">
        <Loading />
      </Screen>
    );
  }
  const hasTotp = types.includes("totp");
  const hasPasskey = types.includes("webauthn") && passkeysSupported();
  const hasRecovery = types.includes("recovery_codes");
  const codeStep = useRecovery || !hasTotp;
  return (
    <Screen title={t("mfa.title")} testid="screen-mfa" lead={t("mfa.lead")}>
      {hasPasskey ? (
        <section aria-labelledby="mfa-passkey-title">
          <h2 id="mfa-passkey-title">{t("mfa.passkeyTitle")}</h2>
          <FormErrors messages={passkey.general} testid="mfa-passkey-errors" />
          <button type="button" class="button primary" disabled={passkey.busy} onClick={() => void withPasskey()} data-testid="mfa-passkey">
            {passkey.busy ? t("mfa.passkeyBusy") : t("mfa.passkey")}
          </button>
        </section>
      ) : null}
      {hasTotp || hasRecovery ? (
        <section aria-labelledby="mfa-code-title">
          <h2 id="mfa-code-title">{codeStep ? t("mfa.recoveryTitle") : t("mfa.codeTitle")}</h2>
          <AuthForm
            key={codeStep ? "recovery" : "totp"}
            fields={[
              codeStep
                ? { name: "code", label: t("mfa.recoveryCode"), autoComplete: "off", code: true, testid: "mfa-code" }
                : { name: "code", label: t("mfa.sixDigit"), autoComplete: "one-time-code", testid: "mfa-code", hint: t("mfa.changes") },
            ]}
            submit={{ label: t("mfa.continue"), busy: t("common.checking"), testid: "mfa-submit" }}
            onSubmit={async (v) => follow(await mfa.authenticateWithCode(v["code"] ?? ""))}
          />
          {hasTotp && hasRecovery ? (
            <p>
              <button type="button" class="link-button" onClick={() => setUseRecovery(!useRecovery)} data-testid="mfa-toggle-recovery">
                {useRecovery ? t("mfa.useApp") : t("mfa.useRecovery")}
              </button>
            </p>
          ) : null}
        </section>
      ) : null}
      <p>
        <a href={href("/login")}>{t("auth.backToLogin")}</a>
      </p>
    </Screen>
  );
}
