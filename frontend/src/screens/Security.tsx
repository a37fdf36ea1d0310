/**
 * Two-step sign-in (allauth MFA): an authenticator app (QR code and the key to type, then the
 * recovery codes), passkeys, and the recovery codes. A therapist needs one before any family's
 * information is shown; parents are offered it from Settings. When allauth wants a fresh sign-in
 * before a change, the screen asks for the password (or a code) and then does the change.
 */

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { QrCode } from "../components/QrCode";
import { Field, FormErrors, Loading, Screen, onSubmit, useSubmit } from "../components/ui";
import { errorsOf } from "../lib/errors";
import * as mfa from "../lib/mfa";
import { href } from "../lib/router";
import { announce, refreshMe, useAppState } from "../lib/store";
import { passkeysSupported } from "../lib/webauthn";

/** The key as an app's "enter a setup key" field shows it: groups of four. */
export function groupKey(secret: string): string {
  return secret.replace(/(.{4})/g, "$1 ").trim();
}

function when(seconds: number | null | undefined): string {
  if (!seconds) return "";
  return new Date(seconds * 1000).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

/** Asks for the password (or a code) allauth wants before a change, then runs `retry`. */
function Reauthenticate(props: { flows: string[]; retry: () => Promise<void>; cancel: () => void }): JSX.Element {
  const byPassword = props.flows.includes("reauthenticate");
  const [value, setValue] = useState("");
  const form = useSubmit(["password", "code"]);
  const box = useRef<HTMLFormElement>(null);
  useEffect(() => {
    box.current?.scrollIntoView({ block: "center" });
    box.current?.querySelector("input")?.focus();
  }, []);
  const submit = (): Promise<void> =>
    form.run(async () => {
      if (byPassword) await mfa.reauthenticate(value);
      else await mfa.reauthenticateWithCode(value);
      await props.retry();
    });
  return (
    <form class="card" ref={box} aria-labelledby="reauth-title" onSubmit={onSubmit(() => void submit())} noValidate data-testid="reauth-form">
      <h2 id="reauth-title">Confirm it's you</h2>
      <p>For your safety, please confirm it's you before changing how you sign in.</p>
      <FormErrors messages={form.general} />
      {byPassword ? (
        <Field label="Your password" name="password" type="password" autoComplete="current-password" value={value} onValue={setValue} errors={form.byField["password"]} testid="reauth-password" />
      ) : (
        <Field label="Code from your authenticator app" name="code" autoComplete="one-time-code" value={value} onValue={setValue} errors={form.byField["code"]} testid="reauth-code" />
      )}
      <div class="row">
        <button type="submit" class="button primary" disabled={form.busy} data-testid="reauth-submit">
          {form.busy ? "Checking…" : "Confirm"}
        </button>
        <button type="button" class="button quiet" onClick={props.cancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RecoveryCodes(props: { codes: string[]; onDone: () => void }): JSX.Element {
  const download = (): void => {
    const blob = new Blob([`FamilyRepair recovery codes\n\n${props.codes.join("\n")}\n`], { type: "text/plain" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = "familyrepair-recovery-codes.txt";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <section class="card" aria-labelledby="codes-title" data-testid="recovery-codes">
      <h2 id="codes-title">Your recovery codes</h2>
      <p>
        If you lose your phone or passkey, each of these codes lets you in once. Keep them somewhere safe, away from this
        device. We will not show them again unless you ask.
      </p>
      <ol class="codes">
        {props.codes.map((c) => (
          <li key={c} data-testid="recovery-code">
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div class="row">
        <button type="button" class="button" onClick={download} data-testid="recovery-download">
          Download the codes
        </button>
        <button type="button" class="button primary" onClick={props.onDone} data-testid="recovery-done">
          I have kept them safe
        </button>
      </div>
    </section>
  );
}

function TotpSetup(props: { setup: mfa.TotpSetup; onDone: (codes: string[]) => void; onReauth: (retry: () => Promise<void>, flows: string[]) => void }): JSX.Element {
  const [code, setCode] = useState("");
  const form = useSubmit(["code"]);
  const activate = async (): Promise<void> => {
    await mfa.totpActivate(code);
    props.onDone(await mfa.recoveryCodes());
  };
  const submit = (): Promise<void> =>
    form.run(async () => {
      try {
        await activate();
      } catch (err) {
        if (err instanceof mfa.ReauthRequired) props.onReauth(activate, err.flows);
        else throw err;
      }
    });
  return (
    <section class="card" aria-labelledby="totp-title" data-testid="totp-setup">
      <h2 id="totp-title">Set up your authenticator app</h2>
      <ol class="steps-list">
        <li>Open an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or 1Password).</li>
        <li>Scan this QR code with it, or type the key below.</li>
        <li>Type the 6-digit code the app shows.</li>
      </ol>
      <QrCode value={props.setup.totp_url} label="QR code to add FamilyRepair to your authenticator app" testid="totp-qr" />
      <p>
        Key to type instead: <code class="key-code" data-testid="totp-secret">{groupKey(props.setup.secret)}</code>
      </p>
      <form onSubmit={onSubmit(() => void submit())} noValidate>
        <FormErrors messages={form.general} />
        <Field
          label="6-digit code from the app"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={code}
          onValue={setCode}
          errors={form.byField["code"]}
          testid="totp-code"
        />
        <button type="submit" class="button primary" disabled={form.busy || !code.trim()} data-testid="totp-activate">
          {form.busy ? "Checking…" : "Turn on"}
        </button>
      </form>
    </section>
  );
}

export default function Security(): JSX.Element {
  const s = useAppState();
  const [list, setList] = useState<mfa.Authenticator[] | null>(null);
  const [setup, setSetup] = useState<mfa.TotpSetup | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [reauth, setReauth] = useState<{ flows: string[]; retry: () => Promise<void> } | null>(null);
  const [passkeyName, setPasskeyName] = useState("My passkey");
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const load = async (): Promise<void> => {
    try {
      setList(await mfa.authenticators());
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    }
  };
  useEffect(() => void load(), []);

  /** Runs an action; when allauth wants a fresh sign-in first, asks for it and runs it again. */
  const act = async (fn: () => Promise<void>): Promise<void> => {
    setErrors([]);
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      if (err instanceof mfa.ReauthRequired) setReauth({ flows: err.flows, retry: fn });
      else setErrors(errorsOf(err).map((e) => e.message));
    } finally {
      setBusy(false);
    }
  };

  const enrolled = async (newCodes: string[] | null, message: string): Promise<void> => {
    await refreshMe().catch(() => undefined);
    await load();
    announce(message);
    if (newCodes?.length) setCodes(newCodes);
  };

  const startTotp = (): Promise<void> =>
    act(async () => {
      const fresh = await mfa.totpSetup();
      if (fresh) setSetup(fresh);
      else await load();
    });

  const addPasskey = (): Promise<void> =>
    act(async () => {
      const result = await mfa.passkeyAdd(passkeyName.trim() || "My passkey");
      if (!result.added) return;
      await enrolled(result.recoveryCodesGenerated ? await mfa.recoveryCodes() : null, "Your passkey is added.");
    });

  const showCodes = (): Promise<void> => act(async () => setCodes(await mfa.recoveryCodes()));
  const renewCodes = (): Promise<void> => act(async () => setCodes(await mfa.recoveryCodesRenew()));

  const me = s.me;
  const therapist = Boolean(me?.is_therapist);
  const totp = list?.find((a) => a.type === "totp");
  const passkeys = list?.filter((a) => a.type === "webauthn") ?? [];
  const recovery = list?.find((a) => a.type === "recovery_codes");
  const on = Boolean(totp || passkeys.length);

  return (
    <Screen
      title="Two-step sign-in"
      testid="screen-security"
      back={{ to: "/account", label: "Settings" }}
      lead={
        therapist
          ? "You need a second step when you sign in before you can see anything of the families you work with."
          : "A second step when you sign in keeps your family's information safe if someone learns your password."
      }
    >
      <FormErrors messages={errors} />
      {reauth ? (
        <Reauthenticate
          flows={reauth.flows}
          cancel={() => setReauth(null)}
          retry={async () => {
            const retry = reauth.retry;
            setReauth(null);
            await act(retry);
          }}
        />
      ) : null}
      {codes ? (
        <RecoveryCodes
          codes={codes}
          onDone={() => {
            setCodes(null);
            announce("Two-step sign-in is on.");
          }}
        />
      ) : null}
      {list === null && !errors.length ? <Loading /> : null}
      {list !== null ? (
        <section aria-labelledby="mfa-status-title">
          <h2 id="mfa-status-title">{on ? "Two-step sign-in is on" : "Two-step sign-in is off"}</h2>
          <ul class="cards" data-testid="authenticators">
            {totp ? (
              <li class="card" data-testid="authenticator-totp">
                <span class="card-title">Authenticator app</span> <span class="status">On since {when(totp.created_at)}</span>
              </li>
            ) : null}
            {passkeys.map((p) => (
              <li class="card" key={String(p.id)} data-testid="authenticator-passkey">
                <span class="card-title">Passkey: {p.name}</span> <span class="status">Added {when(p.created_at)}</span>
              </li>
            ))}
            {recovery ? (
              <li class="card" data-testid="authenticator-recovery">
                <span class="card-title">Recovery codes</span>{" "}
                <span class="status">
                  {recovery.unused_code_count} of {recovery.total_code_count} left
                </span>
              </li>
            ) : null}
          </ul>
          {therapist && on ? (
            <p>
              <a class="button primary" href={href("/")} data-testid="security-continue">
                Continue to your families
              </a>
            </p>
          ) : null}
        </section>
      ) : null}
      {list !== null && !totp ? (
        setup ? (
          <TotpSetup
            setup={setup}
            onReauth={(retry, flows) => setReauth({ flows, retry })}
            onDone={(newCodes) => {
              setSetup(null);
              void enrolled(newCodes, "Your authenticator app is set up.");
            }}
          />
        ) : (
          <section aria-labelledby="app-title">
            <h2 id="app-title">Authenticator app</h2>
            <p>A code from an app on your phone, each time you sign in.</p>
            <button type="button" class="button" disabled={busy} onClick={() => void startTotp()} data-testid="totp-start">
              Set up an authenticator app
            </button>
          </section>
        )
      ) : null}
      {list !== null && passkeysSupported() ? (
        <section aria-labelledby="passkey-title">
          <h2 id="passkey-title">Passkey</h2>
          <p>Your phone's or computer's screen lock (fingerprint, face or PIN) instead of a code.</p>
          <form onSubmit={onSubmit(() => void addPasskey())} noValidate>
            <Field label="Name for this passkey" name="name" value={passkeyName} onValue={setPasskeyName} testid="passkey-name" autoComplete="off" />
            <button type="submit" class="button" disabled={busy} data-testid="passkey-add">
              {busy ? "Waiting for your device…" : "Add a passkey"}
            </button>
          </form>
        </section>
      ) : null}
      {recovery ? (
        <section aria-labelledby="recovery-title">
          <h2 id="recovery-title">Recovery codes</h2>
          <div class="row">
            <button type="button" class="button quiet" disabled={busy} onClick={() => void showCodes()} data-testid="recovery-show">
              Show my recovery codes
            </button>
            <button type="button" class="button quiet" disabled={busy} onClick={() => void renewCodes()} data-testid="recovery-renew">
              Make new codes
            </button>
          </div>
        </section>
      ) : null}
    </Screen>
  );
}
