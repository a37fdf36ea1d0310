/**
 * Pair this device as a child: type the code a parent shows, or open the `#/pair/{code}` link
 * (the QR code) to pair at once. POST /api/v1/pairing/ signs this browser in as the child.
 */

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Field, FormErrors, Screen, onSubmit, useSubmit } from "../components/ui";
import { api } from "../lib/api";
import * as auth from "../lib/auth";
import { navigate } from "../lib/router";
import { announce, markNewAccount, signedIn, useAppState } from "../lib/store";

export default function Pair(props: { code: string }): JSX.Element {
  const s = useAppState();
  const [code, setCode] = useState(props.code);
  const form = useSubmit(["code"]);
  const started = useRef(false);
  const needsConfirm = s.auth === "authenticated";

  const pair = (value: string): Promise<void> =>
    form.run(async () => {
      // Make sure the CSRF cookie exists before the first POST on a fresh device.
      await auth.prepare().catch(() => undefined);
      await api.pair(value);
      markNewAccount(); // a child's first load keeps this phone's language (see lib/store)
      await signedIn();
      announce("This phone is paired.");
      navigate("/", { replace: true });
    });

  useEffect(() => {
    if (props.code && !started.current && s.auth === "anonymous") {
      started.current = true;
      void pair(props.code);
    }
  }, [props.code, s.auth]);

  return (
    <Screen title="Pair this phone" testid="screen-pair" lead="Type the code your parent shows you, or scan their QR code.">
      {needsConfirm ? (
        <p class="note" data-testid="pair-warning">
          Someone is already signed in on this phone. Pairing signs this phone in as the child instead.
        </p>
      ) : null}
      <form onSubmit={onSubmit(() => void pair(code))} noValidate>
        <FormErrors messages={form.general} />
        <Field
          label="Pairing code"
          name="code"
          autoComplete="one-time-code"
          autoCapitalize="characters"
          spellcheck={false}
          required
          value={code}
          onValue={setCode}
          errors={form.byField["code"]}
          testid="pair-code"
        />
        <button type="submit" class="button primary big" disabled={form.busy || !code.trim()} data-testid="pair-submit">
          {form.busy ? "Pairing…" : "Pair this phone"}
        </button>
      </form>
    </Screen>
  );
}
