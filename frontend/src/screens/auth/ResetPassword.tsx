import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Field, FormErrors, Screen, onSubmit, useSubmit } from "../../components/ui";
import * as auth from "../../lib/auth";
import { href, navigate } from "../../lib/router";
import { announce, signedIn } from "../../lib/store";
import { goAfterLogin } from "../Login";

/**
 * Two steps: ask for a code by email, then type the code and a new password. Codes are enabled
 * on the server (ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED); a `#/reset-password/{key}` link
 * prefills the key.
 */
export default function ResetPassword(props: { code: string }): JSX.Element {
  const [step, setStep] = useState<"request" | "reset">(props.code ? "reset" : "request");
  const [email, setEmail] = useState("");
  const [code, setCode] = useState(props.code);
  const [password, setPassword] = useState("");
  const requestForm = useSubmit(["email"]);
  const resetForm = useSubmit(["key", "password"]);

  const request = (): Promise<void> =>
    requestForm.run(async () => {
      await auth.requestPasswordReset(email);
      setStep("reset");
    });

  const reset = (): Promise<void> =>
    resetForm.run(async () => {
      const result = await auth.resetPassword(code, password);
      if (result.kind === "authenticated") {
        await signedIn();
        announce("Your password is changed.");
        goAfterLogin();
      } else {
        announce("Your password is changed. Please log in.");
        navigate("/login");
      }
    });

  if (step === "request") {
    return (
      <Screen title="Reset your password" testid="screen-reset-password" lead="We will email you a code.">
        <form onSubmit={onSubmit(request)} noValidate>
          <FormErrors messages={requestForm.general} />
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onValue={setEmail}
            errors={requestForm.byField["email"]}
            testid="reset-email"
          />
          <button type="submit" class="button primary" disabled={requestForm.busy} data-testid="reset-request">
            {requestForm.busy ? "Sending…" : "Email me a code"}
          </button>
        </form>
        <p>
          <a href={href("/login")}>Back to log in</a>
        </p>
      </Screen>
    );
  }
  return (
    <Screen title="Choose a new password" testid="screen-reset-password" lead="Type the code from the email and your new password.">
      <form onSubmit={onSubmit(reset)} noValidate>
        <FormErrors messages={resetForm.general} />
        <Field
          label="Code from the email"
          name="key"
          autoComplete="one-time-code"
          spellcheck={false}
          required
          value={code}
          onValue={setCode}
          errors={resetForm.byField["key"]}
          testid="reset-code"
        />
        <Field
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onValue={setPassword}
          errors={resetForm.byField["password"]}
          testid="reset-password"
        />
        <button type="submit" class="button primary" disabled={resetForm.busy} data-testid="reset-submit">
          {resetForm.busy ? "Saving…" : "Save new password"}
        </button>
      </form>
      <p>
        <button type="button" class="link-button" onClick={() => setStep("request")}>
          Send a new code
        </button>
      </p>
    </Screen>
  );
}
