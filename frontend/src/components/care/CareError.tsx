/**
 * The care endpoints' refusals as the next step: a therapist not yet verified waits, one without
 * two-step sign-in sets it up; anything else is shown as the server said it.
 */

import type { JSX } from "preact";
import type { ApiErrorItem } from "../../lib/errors";
import { href } from "../../lib/router";
import { FormErrors } from "../ui";
import { t } from "../../lib/careWords";

export function CareError(props: { errors: ApiErrorItem[] }): JSX.Element | null {
  if (!props.errors.length) return null;
  const codes = new Set(props.errors.map((e) => e.code));
  if (codes.has("mfa_required")) {
    return (
      <div class="form-errors" role="alert" data-testid="care-mfa-required">
        <p>{t("care:error.mfaRequired")}</p>
        <p>
          <a href={href("/account/security")}>{t("care:error.mfaLink")}</a>
        </p>
      </div>
    );
  }
  if (codes.has("therapist_unverified")) {
    return (
      <div class="form-errors" role="alert" data-testid="care-unverified">
        <p>{t("care:error.unverified")}</p>
      </div>
    );
  }
  return <FormErrors messages={props.errors.map((e) => e.message)} />;
}
