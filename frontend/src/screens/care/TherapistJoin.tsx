/**
 * A family therapist's claims: their name, profession, registration body and number, and where
 * they practise. Staff check them before the account is verified; until then nothing of any
 * family is shown.
 */

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Field, FormErrors, Screen, onSubmit, useSubmit } from "../../components/ui";
import { api } from "../../lib/api";
import { t } from "../../lib/careWords";
import { navigate } from "../../lib/router";
import { announce, refreshMe, useAppState } from "../../lib/store";
import type { TherapistClaimsInput } from "../../lib/types";

/** The claims' fields, their words read at render time (the person's language). */
function fields(): { name: keyof TherapistClaimsInput; label: string; hint?: string; autoComplete: string }[] {
  return [
    { name: "full_name", label: t("care:join.fullName"), hint: t("care:join.fullNameHint"), autoComplete: "name" },
    { name: "profession", label: t("care:join.profession"), hint: t("care:join.professionHint"), autoComplete: "organization-title" },
    { name: "registration_body", label: t("care:join.body"), hint: t("care:join.bodyHint"), autoComplete: "off" },
    { name: "registration_number", label: t("care:join.number"), autoComplete: "off" },
    { name: "jurisdiction", label: t("care:join.jurisdiction"), hint: t("care:join.jurisdictionHint"), autoComplete: "off" },
  ];
}

export default function TherapistJoin(): JSX.Element {
  const s = useAppState();
  const claims = s.me?.therapist_claims;
  const [values, setValues] = useState<TherapistClaimsInput>(() => ({
    full_name: claims?.full_name || s.me?.display_name || "",
    profession: claims?.profession ?? "",
    registration_body: claims?.registration_body ?? "",
    registration_number: claims?.registration_number ?? "",
    jurisdiction: claims?.jurisdiction ?? "",
  }));
  const form = useSubmit(["full_name", "profession", "registration_body", "registration_number", "jurisdiction"]);
  const save = (): Promise<void> =>
    form.run(async () => {
      const trimmed = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()])) as TherapistClaimsInput;
      // Families see the therapist by their display name: without one, it is the name on the claims.
      const name = s.me?.display_name ? {} : { display_name: trimmed.full_name };
      await api.updateMe({ is_therapist: true, therapist_claims: trimmed, ...name });
      await refreshMe();
      announce(t("care:join.thanks"));
      navigate("/", { replace: true });
    });
  return (
    <Screen
      title={t("care:join.title")}
      testid="screen-therapist-join"
      lead={t("care:join.lead")}
    >
      <form onSubmit={onSubmit(() => void save())} noValidate>
        <FormErrors messages={form.general} />
        {fields().map((f) => (
          <Field
            key={f.name}
            label={f.label}
            name={f.name}
            hint={f.hint}
            autoComplete={f.autoComplete}
            required
            value={values[f.name]}
            onValue={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
            errors={form.byField[f.name]}
            testid={`claims-${f.name.replace(/_/g, "-")}`}
          />
        ))}
        <button type="submit" class="button primary" disabled={form.busy} data-testid="claims-submit">
          {form.busy ? t("care:join.sending") : t("care:join.send")}
        </button>
      </form>
    </Screen>
  );
}
