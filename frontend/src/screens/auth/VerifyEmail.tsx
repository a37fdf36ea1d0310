import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Field, FormErrors, Screen, onSubmit, useSubmit } from "../../components/ui";
import * as auth from "../../lib/auth";
import { errorsOf } from "../../lib/errors";
import { href, navigate } from "../../lib/router";
import { announce, setState, signedIn } from "../../lib/store";
import { goAfterLogin } from "../Login";

export default function VerifyEmail(props: { code: string }): JSX.Element {
  const [code, setCode] = useState(props.code);
  const [resent, setResent] = useState(false);
  const form = useSubmit(["key"]);

  const submit = (key: string): Promise<void> =>
    form.run(async () => {
      const result = await auth.verifyEmail(key);
      if (result.kind === "authenticated") {
        await signedIn();
        announce("Your email is confirmed.");
        goAfterLogin();
      } else {
        setState({ pendingFlow: null });
        announce("Your email is confirmed. Please log in.");
        navigate("/login");
      }
    });

  useEffect(() => {
    if (props.code) void submit(props.code);
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
      <form onSubmit={onSubmit(() => void submit(code))} noValidate>
        <FormErrors messages={form.general} />
        <Field
          label="Code from the email"
          name="key"
          autoComplete="one-time-code"
          autoCapitalize="characters"
          spellcheck={false}
          required
          value={code}
          onValue={setCode}
          errors={form.byField["key"]}
          testid="verify-code"
        />
        <button type="submit" class="button primary" disabled={form.busy || !code.trim()} data-testid="verify-submit">
          {form.busy ? "Checking…" : "Confirm"}
        </button>
      </form>
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
