import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { AuthForm } from "../../components/AuthForm";
import { Screen, useSubmit } from "../../components/ui";
import * as auth from "../../lib/auth";
import { follow } from "../../lib/authFlows";
import { errorsOf } from "../../lib/errors";
import { href } from "../../lib/router";
import { announce } from "../../lib/store";

export default function VerifyEmail(props: { code: string }): JSX.Element {
  const [resent, setResent] = useState(false);
  const form = useSubmit(["key"]);

  const verify = async (key: string): Promise<void> => {
    const result = await auth.verifyEmail(key);
    announce(result.kind === "authenticated" ? "Your email is confirmed." : "Your email is confirmed. Please log in.");
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
    <Screen title="Check your email" testid="screen-verify-email" lead="We sent you a code. Type it here to confirm your email.">
      <AuthForm
        fields={[{ name: "key", label: "Code from the email", autoComplete: "one-time-code", code: true, initial: props.code, testid: "verify-code" }]}
        submit={{ label: "Confirm", busy: "Checking…", testid: "verify-submit" }}
        onSubmit={(v) => verify(v["key"] ?? "")}
        form={form}
      />
      <p>
        <button type="button" class="link-button" onClick={() => void resend()} data-testid="verify-resend">
          Send me a new code
        </button>
      </p>
      {resent ? <p role="status">A new code is on its way.</p> : null}
      <p>
        <a href={href("/login")}>Back to log in</a>
      </p>
    </Screen>
  );
}
