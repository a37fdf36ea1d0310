/**
 * A therapist's home: the next step until they may see families (claims, staff's verification,
 * two-step sign-in), then their caseload. Loaded only for therapists.
 */

import type { JSX } from "preact";
import { Screen } from "../../components/ui";
import { therapistStep } from "../../lib/model";
import { href } from "../../lib/router";
import type { Me } from "../../lib/types";
import Caseload from "./Caseload";
import TherapistJoin from "./TherapistJoin";

function Waiting(props: { me: Me }): JSX.Element {
  const c = props.me.therapist_claims;
  return (
    <Screen
      title="Waiting for verification"
      testid="screen-therapist-waiting"
      lead="Thank you. Our staff are checking your registration. You will see the families who link you once you are verified; until then nothing of any family is shown here."
    >
      {c ? (
        <section aria-labelledby="claims-title" class="card">
          <h2 id="claims-title">What you told us</h2>
          <dl class="claims" data-testid="therapist-claims">
            <dt>Name</dt>
            <dd>{c.full_name}</dd>
            <dt>Profession</dt>
            <dd>{c.profession}</dd>
            <dt>Registration</dt>
            <dd>
              {c.registration_body}, {c.registration_number}
            </dd>
            <dt>Where you practise</dt>
            <dd>{c.jurisdiction}</dd>
          </dl>
          {c.editable ? (
            <p>
              <a href={href("/therapist/join")} data-testid="claims-edit">
                Correct these details
              </a>
            </p>
          ) : null}
        </section>
      ) : null}
      <p>Meanwhile you can set up two-step sign-in: you will need it to see any family.</p>
      <p>
        <a href={href("/account/security")} data-testid="therapist-security-link">
          Set up two-step sign-in
        </a>
      </p>
    </Screen>
  );
}

function NeedsMfa(): JSX.Element {
  return (
    <Screen
      title="One more step: two-step sign-in"
      testid="screen-therapist-mfa"
      lead="You are verified. Before you see any family's information, add a second step to your sign-in: an authenticator app or a passkey."
    >
      <a class="button primary big" href={href("/account/security")} data-testid="therapist-security-link">
        Set up two-step sign-in
      </a>
    </Screen>
  );
}

export default function TherapistHome(props: { me: Me }): JSX.Element {
  switch (therapistStep(props.me)) {
    case "claims":
      return <TherapistJoin />;
    case "waiting":
      return <Waiting me={props.me} />;
    case "mfa":
      return <NeedsMfa />;
    default:
      return <Caseload />;
  }
}
