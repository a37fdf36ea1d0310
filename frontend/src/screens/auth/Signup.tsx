import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { AuthForm } from "../../components/AuthForm";
import { Screen } from "../../components/ui";
import * as auth from "../../lib/auth";
import { follow } from "../../lib/authFlows";
import { href } from "../../lib/router";
import { markNewAccount, setState } from "../../lib/store";
import { t } from "../../lib/i18n";

/** `therapist`: after the email is confirmed, the therapist's claims form comes next. */
export default function Signup(props: { therapist?: boolean }): JSX.Element {
  useEffect(() => {
    if (props.therapist) setState({ afterLogin: "/therapist/join" });
  }, [props.therapist]);
  return (
    <Screen
      title={props.therapist ? t("signup.therapistTitle") : t("signup.title")}
      testid="screen-signup"
      lead={
        props.therapist
          ? t("signup.therapistLead")
          : t("signup.lead")
      }
    >
      <AuthForm
        fields={[
          { name: "email", label: t("auth.email"), type: "email", autoComplete: "email", testid: "signup-email" },
          {
            name: "password",
            label: t("auth.password"),
            type: "password",
            autoComplete: "new-password",
            hint: t("signup.passwordHint"),
            testid: "signup-password",
          },
        ]}
        submit={{ label: t("signup.submit"), busy: t("signup.busy"), testid: "signup-submit" }}
        // Mandatory verification: allauth answers 401 with the verify_email flow pending.
        onSubmit={async (v) => {
          const result = await auth.signup(v["email"] ?? "", v["password"] ?? "");
          markNewAccount(); // its first signed-in load keeps the language shown now
          return follow(result);
        }}
      />
      <p>
        <a href={href("/login")}>{t("signup.login")}</a>
      </p>
      {props.therapist ? null : (
        <p>
          <a href={href("/signup?therapist")} data-testid="signup-therapist">
            {t("signup.therapistLink")}
          </a>
        </p>
      )}
    </Screen>
  );
}
