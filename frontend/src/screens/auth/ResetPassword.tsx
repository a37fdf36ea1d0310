import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { AuthForm } from "../../components/AuthForm";
import { Screen } from "../../components/ui";
import * as auth from "../../lib/auth";
import { follow } from "../../lib/authFlows";
import { href } from "../../lib/router";
import { announce } from "../../lib/store";

/**
 * Two steps: ask for a code by email, then type the code and a new password. Codes are enabled
 * on the server (ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED); a `#/reset-password/{key}` link
 * prefills the key.
 */
export default function ResetPassword(props: { code: string }): JSX.Element {
  const [step, setStep] = useState<"request" | "reset">(props.code ? "reset" : "request");

  if (step === "request") {
    return (
      <Screen title="Reset your password" testid="screen-reset-password" lead="We will email you a code.">
        <AuthForm
          fields={[{ name: "email", label: "Email", type: "email", autoComplete: "email", testid: "reset-email" }]}
          submit={{ label: "Email me a code", busy: "Sending…", testid: "reset-request" }}
          onSubmit={async (v) => {
            await auth.requestPasswordReset(v["email"] ?? "");
            setStep("reset");
          }}
        />
        <p>
          <a href={href("/login")}>Back to log in</a>
        </p>
      </Screen>
    );
  }
  return (
    <Screen title="Choose a new password" testid="screen-reset-password" lead="Type the code from the email and your new password.">
      <AuthForm
        fields={[
          { name: "key", label: "Code from the email", autoComplete: "one-time-code", code: true, initial: props.code, testid: "reset-code" },
          { name: "password", label: "New password", type: "password", autoComplete: "new-password", testid: "reset-password" },
        ]}
        submit={{ label: "Save new password", busy: "Saving…", testid: "reset-submit" }}
        onSubmit={async (v) => {
          const result = await auth.resetPassword(v["key"] ?? "", v["password"] ?? "");
          announce(result.kind === "authenticated" ? "Your password is changed." : "Your password is changed. Please log in.");
          await follow(result);
        }}
      />
      <p>
        <button type="button" class="link-button" onClick={() => setStep("request")}>
          Send a new code
        </button>
      </p>
    </Screen>
  );
}
