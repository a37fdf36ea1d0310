import type { JSX } from "preact";
import { AuthForm } from "../components/AuthForm";
import { FormErrors, Screen, useSubmit } from "../components/ui";
import * as auth from "../lib/auth";
import { follow } from "../lib/authFlows";
import { ApiError } from "../lib/errors";
import { loginWithPasskey } from "../lib/mfa";
import { passkeysSupported } from "../lib/webauthn";
import { href } from "../lib/router";
import { useAppState } from "../lib/store";

export function Login(): JSX.Element {
  const s = useAppState();
  const passkey = useSubmit([]);
  const withPasskey = (): Promise<void> =>
    passkey.run(async () => {
      await auth.prepare();
      const result = await loginWithPasskey();
      if (result === null) return; // they cancelled the browser's prompt: the form is still here
      if (!(await follow(result, { whenSignedOut: null }))) {
        throw new ApiError({ status: 401, errors: [{ code: "not_authenticated", message: "That passkey did not sign you in. Try again, or use your password.", param: null }] });
      }
    });
  const logIn = async (v: Record<string, string>): Promise<void> => {
    if (!(await follow(await auth.login(v["email"] ?? "", v["password"] ?? ""), { whenSignedOut: null }))) {
      throw new ApiError({ status: 401, errors: [{ code: "not_authenticated", message: "We could not log you in. Please try again.", param: null }] });
    }
  };

  return (
    <Screen title="Welcome back" testid="screen-login" lead="Log in to FamilyRepair.">
      {!s.online ? <p class="note">You are offline. Logging in needs a connection.</p> : null}
      <AuthForm
        fields={[
          { name: "email", label: "Email", type: "email", autoComplete: "email", testid: "login-email" },
          { name: "password", label: "Password", type: "password", autoComplete: "current-password", testid: "login-password" },
        ]}
        submit={{ label: "Log in", busy: "Logging in…", testid: "login-submit" }}
        onSubmit={logIn}
      />
      {passkeysSupported() ? (
        <section aria-labelledby="login-passkey-title">
          <h2 id="login-passkey-title">Or use a passkey</h2>
          <FormErrors messages={passkey.general} testid="login-passkey-errors" />
          <button type="button" class="button" disabled={passkey.busy || !s.online} onClick={() => void withPasskey()} data-testid="login-passkey">
            {passkey.busy ? "Waiting for your passkey…" : "Sign in with a passkey"}
          </button>
        </section>
      ) : null}
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
