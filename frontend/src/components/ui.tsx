/** Building blocks every screen uses: the screen frame (title + focus), fields, errors, choices. */

import type { ComponentChildren, HTMLInputTypeAttribute, JSX, PartialInputHTMLAttributes } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { errorsOf, splitErrors, type ApiErrorItem } from "../lib/errors";
import { href } from "../lib/router";
import { useAppState } from "../lib/store";
import { ReadAloud } from "./ReadAloud";
import { formatDateTime, t } from "../lib/i18n";

/**
 * One screen: its <main> with a data-testid, and an <h1> that takes focus when the screen (or
 * its step title) changes, so keyboard and screen-reader users start at the top.
 */
export function Screen(props: {
  title: string;
  testid: string;
  children?: ComponentChildren;
  lead?: ComponentChildren;
  back?: { to: string; label: string };
  /** Laptop-wide (the therapist's figures); phones see no difference. */
  wide?: boolean;
}): JSX.Element {
  const heading = useRef<HTMLHeadingElement>(null);
  const young = useAppState().me?.young_child === true;
  useEffect(() => {
    document.title = `${props.title} · FamilyRepair`;
    heading.current?.focus({ preventScroll: false });
    window.scrollTo(0, 0);
  }, [props.title]);
  const title = (
    <h1 tabIndex={-1} ref={heading}>
      {props.title}
    </h1>
  );
  return (
    <main id="main" class={["screen", young ? "screen-young" : "", props.wide ? "wide" : ""].filter(Boolean).join(" ")} data-testid={props.testid}>
      {props.back ? (
        <a class="back-link" href={href(props.back.to)}>
          <span aria-hidden="true">← </span>
          {props.back.label}
        </a>
      ) : null}
      {young ? (
        // A child under 8 hears every screen: one tap reads its title, text and buttons.
        <div class="title-row">
          {title}
          <ReadAloud text={null} label={t("ui.readScreen")} testid="read-screen" big />
        </div>
      ) : (
        title
      )}
      {props.lead ? <p class="lead">{props.lead}</p> : null}
      {props.children}
    </main>
  );
}

export function Loading(props: { label?: string }): JSX.Element {
  return (
    <p class="loading" role="status">
      {props.label ?? t("ui.loading")}
    </p>
  );
}

/** Errors that no field on the form claims: announced and focusable. */
export function FormErrors(props: { messages: string[]; testid?: string }): JSX.Element | null {
  const box = useRef<HTMLDivElement>(null);
  const text = props.messages.join(" ");
  useEffect(() => {
    if (text) box.current?.focus();
  }, [text]);
  if (!props.messages.length) return null;
  return (
    <div class="form-errors" role="alert" tabIndex={-1} ref={box} data-testid={props.testid ?? "form-errors"}>
      {props.messages.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}

type InputProps = Omit<PartialInputHTMLAttributes<HTMLInputElement>, "label" | "value" | "onInput" | "type" | "role">;

export function Field(
  props: InputProps & {
    label: string;
    name: string;
    value: string;
    onValue: (v: string) => void;
    errors?: string[] | undefined;
    hint?: string;
    testid?: string;
    type?: HTMLInputTypeAttribute;
  },
): JSX.Element {
  const { label, name, value, onValue, errors, hint, testid, type, ...rest } = props;
  const id = `f-${useId()}`;
  const describedBy = [hint ? `${id}-hint` : "", errors?.length ? `${id}-err` : ""].filter(Boolean).join(" ");
  // One cast: preact types <input> as a union keyed by `type`, which a generic field cannot name.
  const attrs = {
    ...rest,
    id,
    name,
    type: type ?? "text",
    value,
    onInput: (e: Event) => onValue((e.currentTarget as HTMLInputElement).value),
    "aria-invalid": errors?.length ? "true" : undefined,
    "aria-describedby": describedBy || undefined,
    "data-testid": testid,
  } as unknown as JSX.IntrinsicElements["input"];
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <input {...attrs} />
      {errors?.length ? (
        <p class="field-error" id={`${id}-err`}>
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

export function TextArea(props: {
  label: string;
  name: string;
  value: string;
  onValue: (v: string) => void;
  errors?: string[] | undefined;
  hint?: string;
  testid?: string;
  rows?: number;
  maxLength?: number;
}): JSX.Element {
  const id = `t-${useId()}`;
  const describedBy = [props.hint ? `${id}-hint` : "", props.errors?.length ? `${id}-err` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 3}
        maxLength={props.maxLength}
        value={props.value}
        onInput={(e) => props.onValue((e.currentTarget as HTMLTextAreaElement).value)}
        aria-invalid={props.errors?.length ? "true" : undefined}
        aria-describedby={describedBy || undefined}
        data-testid={props.testid}
      />
      {props.errors?.length ? (
        <p class="field-error" id={`${id}-err`}>
          {props.errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

export interface Option<T extends string> {
  value: T;
  label: string;
  emoji?: string;
}

/** A radio group drawn as large chips; choosing the chosen one again clears an optional choice. */
export function Choice<T extends string>(props: {
  legend: string;
  name: string;
  options: readonly Option<T>[];
  value: T | null;
  onChange: (v: T | null) => void;
  testidPrefix: string;
  errors?: string[] | undefined;
  large?: boolean;
}): JSX.Element {
  return (
    <fieldset class={props.large ? "choice choice-large" : "choice"}>
      <legend>{props.legend}</legend>
      <div class="chips">
        {props.options.map((o) => {
          const id = `${props.name}-${o.value}`;
          return (
            <span class="chip" key={o.value}>
              <input
                type="radio"
                id={id}
                name={props.name}
                value={o.value}
                checked={props.value === o.value}
                onClick={() => {
                  if (props.value === o.value) props.onChange(null);
                }}
                onChange={() => props.onChange(o.value)}
                data-testid={`${props.testidPrefix}-${o.value}`}
              />
              <label for={id}>
                {o.emoji ? (
                  <span class="emoji" aria-hidden="true">
                    {o.emoji}
                  </span>
                ) : null}
                {o.label}
              </label>
            </span>
          );
        })}
      </div>
      {props.errors?.length ? <p class="field-error">{props.errors.join(" ")}</p> : null}
    </fieldset>
  );
}

export function Checkbox(props: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  testid?: string;
  hint?: string;
  disabled?: boolean;
}): JSX.Element {
  const id = `c-${useId()}`;
  return (
    <div class="check">
      <input
        type="checkbox"
        id={id}
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        data-testid={props.testid}
      />
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A form's submit state and its errors, split by field via the one error parser. `run` wraps the
 * submit: clears errors, sets busy, and catches any thrown ApiError into the right places.
 */
export function useSubmit(fields: readonly string[]): {
  busy: boolean;
  errors: ApiErrorItem[];
  byField: Record<string, string[]>;
  general: string[];
  run: (fn: () => Promise<void>) => Promise<void>;
  setErrors: (e: ApiErrorItem[]) => void;
} {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const { byField, general } = splitErrors(errors, fields);
  const run = async (fn: () => Promise<void>): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setErrors([]);
    try {
      await fn();
    } catch (err) {
      setErrors(errorsOf(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, errors, byField, general, run, setErrors };
}

export function onSubmit(fn: () => void): (e: Event) => void {
  return (e: Event) => {
    e.preventDefault();
    fn();
  };
}

export function formatWhen(iso: string | null | undefined): string {
  return formatDateTime(iso);
}

export function Time(props: { iso: string | null | undefined }): JSX.Element | null {
  const text = formatWhen(props.iso);
  if (!text || !props.iso) return null;
  return <time dateTime={props.iso}>{text}</time>;
}
