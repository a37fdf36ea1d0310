import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Field, FormErrors, Screen, onSubmit, useSubmit } from "../components/ui";
import * as auth from "../lib/auth";
import { href, navigate } from "../lib/router";
import { getState, setState, signedIn, useAppState } from "../lib/store";

/** Where to go after any successful sign-in (an invite link opened earlier, or home). */
export function goAfterLogin(): void {
  const to = getState().afterLogin;
  setState({ afterLogin: null });
  navigate(to ?? "/", { replace: true });
}

export function Login(): JSX.Element {
  const s = useAppState();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const form = useSubmit(["email", "password"]);

  const submit = (): Promise<void> =>
    form.run(async () => {
      const result = await auth.login(email, password);
      if (result.kind === "authenticated") {
        await signedIn();
        goAfterLogin();
      } else if (result.kind === "pending" && result.flow === "verify_email") {
        setState({ pendingFlow: "verify_email" });
        navigate("/verify-email");
      } else {
        form.setErrors([{ code: "not_authenticated", message: "We could not log you in. Please try again.", param: null }]);
      }
    });

  return (
    <Screen title="Welcome back" testid="screen-login" lead="Log in to FamilyRepair.">
      {!s.online ? <p class="note">You are offline. Logging in needs a connection.</p> : null}
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
          testid="login-email"
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
          errors={form.byField["password"]}
          testid="login-password"
        />
        <button type="submit" class="button primary" disabled={form.busy} data-testid="login-submit">
          {form.busy ? "Logging in…" : "Log in"}
        </button>
      </form>
      <ul class="link-list">
        <li>
          <a href={href("/signup")} data-testid="signup-link">
            New here? Create an account
          </a>
        </li>
        <li>
          <a href={href("/reset-password")} data-testid="reset-link">
            Forgot your password?
          </a>
        </li>
        <li>
          <a href={href("/pair")} data-testid="pair-link">
            A child using a pairing code? Pair this device
          </a>
        </li>
      </ul>
    </Screen>
  );
}
