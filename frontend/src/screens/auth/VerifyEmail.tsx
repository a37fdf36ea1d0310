import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { AuthForm } from "../../components/AuthForm";
import { Screen, useSubmit } from "../../components/ui";
import * as auth from "../../lib/auth";
import { follow } from "../../lib/authFlows";
import { errorsOf } from "../../lib/errors";
import { href } from "../../lib/router";
import { announce } from "../../lib/store";
import { t } from "../../lib/i18n";

export default function VerifyEmail(props: { code: string }): JSX.Element {
  const [resent, setResent] = useState(false);
  const form = useSubmit(["key"]);

  const verify = async (key: string): Promise<void> => {
    const result = await auth.verifyEmail(key);
    announce(result.kind === "authenticated" ? t("verify.confirmed") : t("verify.confirmedLogIn"));
    await follow(result);
  };

  useEffect(() => {
    if (props.code) void form.run(() => verify(props.code));
  }, [props.code]);

  const resend = async (): Promise<void> => {
    try {
      await auth.resendVerification();
      setResent(true);
    } catch (err) {
      form.setErrors(errorsOf(err));
    }
  };

  return (
    <Screen title={t("verify.title")} testid="screen-verify-email" lead={t("verify.lead")}>
      <AuthForm
        fields={[{ name: "key", label: t("auth.codeFromEmail"), autoComplete: "one-time-code", code: true, initial: props.code, testid: "verify-code" }]}
        submit={{ label: t("common.confirm"), busy: t("common.checking"), testid: "verify-submit" }}
        onSubmit={(v) => verify(v["key"] ?? "")}
        form={form}
      />
      <p>
        <button type="button" class="link-button" onClick={() => void resend()} data-testid="verify-resend">
          {t("verify.resend")}
        </button>
      </p>
      {resent ? <p role="status">{t("verify.resent")}</p> : null}
      <p>
        <a href={href("/login")}>{t("auth.backToLogin")}</a>
      </p>
    </Screen>
  );
}
