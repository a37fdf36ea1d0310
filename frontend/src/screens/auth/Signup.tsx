import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { AuthForm } from "../../components/AuthForm";
import { Screen } from "../../components/ui";
import * as auth from "../../lib/auth";
import { follow } from "../../lib/authFlows";
import { href } from "../../lib/router";
import { markNewAccount, setState } from "../../lib/store";

/** `therapist`: after the email is confirmed, the therapist's claims form comes next. */
export default function Signup(props: { therapist?: boolean }): JSX.Element {
  useEffect(() => {
    if (props.therapist) setState({ afterLogin: "/therapist/join" });
  }, [props.therapist]);
  return (
    <Screen
      title={props.therapist ? "Create your therapist account" : "Create your account"}
      testid="screen-signup"
      lead={
        props.therapist
          ? "For family therapists whose clients use FamilyRepair. Next we will ask about your registration."
          : "For parents and other grown-ups. Children join from a parent's phone with a pairing code."
      }
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
        onSubmit={async (v) => {
          const result = await auth.signup(v["email"] ?? "", v["password"] ?? "");
          markNewAccount(); // its first signed-in load keeps the language shown now
          return follow(result);
        }}
      />
      <p>
        <a href={href("/login")}>Already have an account? Log in</a>
      </p>
      {props.therapist ? null : (
        <p>
          <a href={href("/signup?therapist")} data-testid="signup-therapist">
            A family therapist? Create a therapist account
          </a>
        </p>
      )}
    </Screen>
  );
}
