/**
 * A therapist's home: the next step until they may see families (claims, staff's verification,
 * two-step sign-in), then their caseload. Loaded only for therapists.
 */

import type { JSX } from "preact";
import { Screen } from "../../components/ui";
import { t } from "../../lib/careWords";
import { therapistStep } from "../../lib/model";
import { href } from "../../lib/router";
import type { Me } from "../../lib/types";
import Caseload from "./Caseload";
import TherapistJoin from "./TherapistJoin";

function Waiting(props: { me: Me }): JSX.Element {
  const c = props.me.therapist_claims;
  return (
    <Screen
      title={t("care:home.waitingTitle")}
      testid="screen-therapist-waiting"
      lead={t("care:home.waitingLead")}
    >
      {c ? (
        <section aria-labelledby="claims-title" class="card">
          <h2 id="claims-title">{t("care:home.claimsTitle")}</h2>
          <dl class="claims" data-testid="therapist-claims">
            <dt>{t("care:home.name")}</dt>
            <dd>{c.full_name}</dd>
            <dt>{t("care:home.profession")}</dt>
            <dd>{c.profession}</dd>
            <dt>{t("care:home.registration")}</dt>
            <dd>{t("care:home.registrationValue", { body: c.registration_body, number: c.registration_number })}</dd>
            <dt>{t("care:home.jurisdiction")}</dt>
            <dd>{c.jurisdiction}</dd>
          </dl>
          {c.editable ? (
            <p>
              <a href={href("/therapist/join")} data-testid="claims-edit">
                {t("care:home.edit")}
              </a>
            </p>
          ) : null}
        </section>
      ) : null}
      <p>{t("care:home.meanwhile")}</p>
      <p>
        <a href={href("/account/security")} data-testid="therapist-security-link">
          {t("care:home.setUpMfa")}
        </a>
      </p>
    </Screen>
  );
}

function NeedsMfa(): JSX.Element {
  return (
    <Screen
      title={t("care:home.mfaTitle")}
      testid="screen-therapist-mfa"
      lead={t("care:home.mfaLead")}
    >
      <a class="button primary big" href={href("/account/security")} data-testid="therapist-security-link">
        {t("care:home.setUpMfa")}
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
