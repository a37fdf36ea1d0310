/**
 * The one form of the sign-in screens (log in, sign up, verify email, reset password): labelled
 * fields, the server's errors next to the field they name (allauth's `param`) and the rest above,
 * one submit button that says what it is doing.
 */

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Field, FormErrors, onSubmit, useSubmit } from "./ui";

export interface AuthField {
  /** allauth's field name: errors with this `param` show beside it. */
  name: string;
  label: string;
  testid: string;
  type?: "email" | "password" | "text";
  autoComplete: string;
  hint?: string;
  initial?: string;
  code?: boolean;
}

export function AuthForm(props: {
  fields: readonly AuthField[];
  submit: { label: string; busy: string; testid: string };
  onSubmit: (values: Record<string, string>) => Promise<unknown>;
  /** Errors from outside the submit (e.g. "send a new code"). */
  form?: ReturnType<typeof useSubmit>;
}): JSX.Element {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(props.fields.map((f) => [f.name, f.initial ?? ""])),
  );
  const own = useSubmit(props.fields.map((f) => f.name));
  const form = props.form ?? own;
  const submit = (): Promise<void> => form.run(async () => void (await props.onSubmit(values)));
  return (
    <form onSubmit={onSubmit(submit)} noValidate>
      <FormErrors messages={form.general} />
      {props.fields.map((f) => (
        <Field
          key={f.name}
          label={f.label}
          name={f.name}
          type={f.type ?? "text"}
          autoComplete={f.autoComplete}
          inputMode={f.type === "email" ? "email" : undefined}
          autoCapitalize={f.code ? "characters" : undefined}
          spellcheck={f.code ? false : undefined}
          required
          hint={f.hint}
          value={values[f.name] ?? ""}
          onValue={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
          errors={form.byField[f.name]}
          testid={f.testid}
        />
      ))}
      <button type="submit" class="button primary" disabled={form.busy} data-testid={props.submit.testid}>
        {form.busy ? props.submit.busy : props.submit.label}
      </button>
    </form>
  );
}
