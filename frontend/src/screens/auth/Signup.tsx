import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Field, FormErrors, Screen, onSubmit, useSubmit } from "../../components/ui";
import * as auth from "../../lib/auth";
import { href, navigate } from "../../lib/router";
import { setState, signedIn } from "../../lib/store";
import { goAfterLogin } from "../Login";

export default function Signup(): JSX.Element {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const form = useSubmit(["email", "password"]);

  const submit = (): Promise<void> =>
    form.run(async () => {
      const result = await auth.signup(email, password);
      if (result.kind === "authenticated") {
        await signedIn();
        goAfterLogin();
      } else {
        // Mandatory verification: a 401 with the verify_email flow pending.
        setState({ pendingFlow: result.kind === "pending" ? result.flow : "verify_email" });
        navigate("/verify-email");
      }
    });

  return (
    <Screen
      title="Create your account"
      testid="screen-signup"
      lead="For parents and other grown-ups. Children join from a parent's phone with a pairing code."
    >
      <form onSubmit={onSubmit(submit)} noValidate>
        <FormErrors messages={form.general} />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          value={email}
          onValue={setEmail}
          errors={form.byField["email"]}
          testid="signup-email"
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint="At least 8 characters. A short sentence works well."
          value={password}
          onValue={setPassword}
          errors={form.byField["password"]}
          testid="signup-password"
        />
        <button type="submit" class="button primary" disabled={form.busy} data-testid="signup-submit">
          {form.busy ? "Creating…" : "Create account"}
        </button>
      </form>
      <p>
        <a href={href("/login")}>Already have an account? Log in</a>
      </p>
    </Screen>
  );
}
