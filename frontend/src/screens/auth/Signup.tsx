import type { JSX } from "preact";
import { AuthForm } from "../../components/AuthForm";
import { Screen } from "../../components/ui";
import * as auth from "../../lib/auth";
import { follow } from "../../lib/authFlows";
import { href } from "../../lib/router";

export default function Signup(): JSX.Element {
  return (
    <Screen
      title="Create your account"
      testid="screen-signup"
      lead="For parents and other grown-ups. Children join from a parent's phone with a pairing code."
    >
      <AuthForm
        fields={[
          { name: "email", label: "Email", type: "email", autoComplete: "email", testid: "signup-email" },
          {
            name: "password",
            label: "Password",
            type: "password",
            autoComplete: "new-password",
            hint: "At least 8 characters. A short sentence works well.",
            testid: "signup-password",
          },
        ]}
        submit={{ label: "Create account", busy: "Creating…", testid: "signup-submit" }}
        // Mandatory verification: allauth answers 401 with the verify_email flow pending.
        onSubmit={async (v) => follow(await auth.signup(v["email"] ?? "", v["password"] ?? ""))}
      />
      <p>
        <a href={href("/login")}>Already have an account? Log in</a>
      </p>
    </Screen>
  );
}
