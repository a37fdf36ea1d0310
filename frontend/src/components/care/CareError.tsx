/**
 * The care endpoints' refusals as the next step: a therapist not yet verified waits, one without
 * two-step sign-in sets it up; anything else is shown as the server said it.
 */

import type { JSX } from "preact";
import type { ApiErrorItem } from "../../lib/errors";
import { href } from "../../lib/router";
import { FormErrors } from "../ui";

export function CareError(props: { errors: ApiErrorItem[] }): JSX.Element | null {
  if (!props.errors.length) return null;
  const codes = new Set(props.errors.map((e) => e.code));
  if (codes.has("mfa_required")) {
    return (
      <div class="form-errors" role="alert" data-testid="care-mfa-required">
        <p>You need two-step sign-in before you can see a family's information.</p>
        <p>
          <a href={href("/account/security")}>Set up two-step sign-in</a>
        </p>
      </div>
    );
  }
  if (codes.has("therapist_unverified")) {
    return (
      <div class="form-errors" role="alert" data-testid="care-unverified">
        <p>Our staff are still checking your registration. You will see families once you are verified.</p>
      </div>
    );
  }
  return <FormErrors messages={props.errors.map((e) => e.message)} />;
}
