/**
 * A family therapist's claims: their name, profession, registration body and number, and where
 * they practise. Staff check them before the account is verified; until then nothing of any
 * family is shown.
 */

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Field, FormErrors, Screen, onSubmit, useSubmit } from "../../components/ui";
import { api } from "../../lib/api";
import { navigate } from "../../lib/router";
import { announce, refreshMe, useAppState } from "../../lib/store";
import type { TherapistClaimsInput } from "../../lib/types";

const FIELDS: { name: keyof TherapistClaimsInput; label: string; hint?: string; autoComplete: string }[] = [
  { name: "full_name", label: "Your full name", hint: "As it appears on your registration.", autoComplete: "name" },
  { name: "profession", label: "Profession", hint: "For example: family therapist, clinical psychologist.", autoComplete: "organization-title" },
  { name: "registration_body", label: "Registration body", hint: "The body you are registered with.", autoComplete: "off" },
  { name: "registration_number", label: "Registration number", autoComplete: "off" },
  { name: "jurisdiction", label: "Where you practise", hint: "Country, state or region of your registration.", autoComplete: "off" },
];

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
  const form = useSubmit(FIELDS.map((f) => f.name));
  const save = (): Promise<void> =>
    form.run(async () => {
      const trimmed = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()])) as TherapistClaimsInput;
      // Families see the therapist by their display name: without one, it is the name on the claims.
      const name = s.me?.display_name ? {} : { display_name: trimmed.full_name };
      await api.updateMe({ is_therapist: true, therapist_claims: trimmed, ...name });
      await refreshMe();
      announce("Thank you. We will check your registration.");
      navigate("/", { replace: true });
    });
  return (
    <Screen
      title="Join as a family therapist"
      testid="screen-therapist-join"
      lead="Families link you with a share code and choose what you see. First, tell us about your registration: our staff check it before you see anything of any family."
    >
      <form onSubmit={onSubmit(() => void save())} noValidate>
        <FormErrors messages={form.general} />
        {FIELDS.map((f) => (
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
          {form.busy ? "Sending…" : "Send for verification"}
        </button>
      </form>
    </Screen>
  );
}
