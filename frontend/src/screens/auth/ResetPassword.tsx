import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { AuthForm } from "../../components/AuthForm";
import { Screen } from "../../components/ui";
import * as auth from "../../lib/auth";
import { follow } from "../../lib/authFlows";
import { href } from "../../lib/router";
import { announce } from "../../lib/store";
import { t } from "../../lib/i18n";

/**
 * Two steps: ask for a code by email, then type the code and a new password. Codes are enabled
 * on the server (ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED); a `#/reset-password/{key}` link
 * prefills the key.
 */
export default function ResetPassword(props: { code: string }): JSX.Element {
  const [step, setStep] = useState<"request" | "reset">(props.code ? "reset" : "request");

  if (step === "request") {
    return (
      <Screen title={t("reset.title")} testid="screen-reset-password" lead={t("reset.lead")}>
        <AuthForm
          fields={[{ name: "email", label: t("auth.email"), type: "email", autoComplete: "email", testid: "reset-email" }]}
          submit={{ label: t("reset.request"), busy: t("common.sending"), testid: "reset-request" }}
          onSubmit={async (v) => {
            await auth.requestPasswordReset(v["email"] ?? "");
            setStep("reset");
          }}
        />
        <p>
          <a href={href("/login")}>{t("auth.backToLogin")}</a>
        </p>
      </Screen>
    );
  }
  return (
    <Screen title={t("reset.newTitle")} testid="screen-reset-password" lead={t("reset.newLead")}>
      <AuthForm
        fields={[
          { name: "key", label: t("auth.codeFromEmail"), autoComplete: "one-time-code", code: true, initial: props.code, testid: "reset-code" },
          { name: "password", label: t("reset.newPassword"), type: "password", autoComplete: "new-password", testid: "reset-password" },
        ]}
        submit={{ label: t("reset.submit"), busy: t("common.saving"), testid: "reset-submit" }}
        onSubmit={async (v) => {
          const result = await auth.resetPassword(v["key"] ?? "", v["password"] ?? "");
          announce(result.kind === "authenticated" ? t("reset.changed") : t("reset.changedLogIn"));
          await follow(result);
        }}
      />
      <p>
        <button type="button" class="link-button" onClick={() => setStep("request")}>
          {t("reset.again")}
        </button>
      </p>
    </Screen>
  );
}
