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
import { formatDate, t } from "../lib/i18n";
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
  return formatDate(new Date(seconds * 1000));
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
      <h2 id="reauth-title">{t("security.reauthTitle")}</h2>
      <p>{t("security.reauthLead")}</p>
      <FormErrors messages={form.general} />
      {byPassword ? (
        <Field label={t("security.password")} name="password" type="password" autoComplete="current-password" value={value} onValue={setValue} errors={form.byField["password"]} testid="reauth-password" />
      ) : (
        <Field label={t("security.appCode")} name="code" autoComplete="one-time-code" value={value} onValue={setValue} errors={form.byField["code"]} testid="reauth-code" />
      )}
      <div class="row">
        <button type="submit" class="button primary" disabled={form.busy} data-testid="reauth-submit">
          {form.busy ? t("common.checking") : t("common.confirm")}
        </button>
        <button type="button" class="button quiet" onClick={props.cancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

function RecoveryCodes(props: { codes: string[]; onDone: () => void }): JSX.Element {
  const download = (): void => {
    const blob = new Blob([`${t("security.codesFile")}\n\n${props.codes.join("\n")}\n`], { type: "text/plain" });
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
      <h2 id="codes-title">{t("security.codesTitle")}</h2>
      <p>{t("security.codesLead")}</p>
      <ol class="codes">
        {props.codes.map((c) => (
          <li key={c} data-testid="recovery-code">
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div class="row">
        <button type="button" class="button" onClick={download} data-testid="recovery-download">
          {t("security.codesDownload")}
        </button>
        <button type="button" class="button primary" onClick={props.onDone} data-testid="recovery-done">
          {t("security.codesKept")}
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
      <h2 id="totp-title">{t("security.totpTitle")}</h2>
      <ol class="steps-list">
        <li>{t("security.totp1")}</li>
        <li>{t("security.totp2")}</li>
        <li>{t("security.totp3")}</li>
      </ol>
      <QrCode value={props.setup.totp_url} label={t("security.totpQr")} testid="totp-qr" />
      <p>
        {t("security.keyInstead")} <code class="key-code" data-testid="totp-secret">{groupKey(props.setup.secret)}</code>
      </p>
      <form onSubmit={onSubmit(() => void submit())} noValidate>
        <FormErrors messages={form.general} />
        <Field
          label={t("security.totpCode")}
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={code}
          onValue={setCode}
          errors={form.byField["code"]}
          testid="totp-code"
        />
        <button type="submit" class="button primary" disabled={form.busy || !code.trim()} data-testid="totp-activate">
          {form.busy ? t("common.checking") : t("security.turnOn")}
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
  const [passkeyName, setPasskeyName] = useState(() => t("security.myPasskey"));
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
      const result = await mfa.passkeyAdd(passkeyName.trim() || t("security.myPasskey"));
      if (!result.added) return;
      await enrolled(result.recoveryCodesGenerated ? await mfa.recoveryCodes() : null, t("security.passkeyAdded"));
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
      title={t("security.title")}
      testid="screen-security"
      back={{ to: "/account", label: t("shell.settings") }}
      lead={therapist ? t("security.leadTherapist") : t("security.lead")}
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
            announce(t("security.onSaid"));
          }}
        />
      ) : null}
      {list === null && !errors.length ? <Loading /> : null}
      {list !== null ? (
        <section aria-labelledby="mfa-status-title">
          <h2 id="mfa-status-title">{on ? t("security.on") : t("security.off")}</h2>
          <ul class="cards" data-testid="authenticators">
            {totp ? (
              <li class="card" data-testid="authenticator-totp">
                <span class="card-title">{t("security.app")}</span> <span class="status">{t("security.onSince", { date: when(totp.created_at) })}</span>
              </li>
            ) : null}
            {passkeys.map((p) => (
              <li class="card" key={String(p.id)} data-testid="authenticator-passkey">
                <span class="card-title">{t("security.passkeyNamed", { name: p.name })}</span> <span class="status">{t("security.added", { date: when(p.created_at) })}</span>
              </li>
            ))}
            {recovery ? (
              <li class="card" data-testid="authenticator-recovery">
                <span class="card-title">{t("security.recovery")}</span>{" "}
                <span class="status">
                  {t("security.left", { n: recovery.unused_code_count, total: recovery.total_code_count })}
                </span>
              </li>
            ) : null}
          </ul>
          {therapist && on ? (
            <p>
              <a class="button primary" href={href("/")} data-testid="security-continue">
                {t("security.continue")}
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
              void enrolled(newCodes, t("security.appSetUp"));
            }}
          />
        ) : (
          <section aria-labelledby="app-title">
            <h2 id="app-title">{t("security.app")}</h2>
            <p>{t("security.appLead")}</p>
            <button type="button" class="button" disabled={busy} onClick={() => void startTotp()} data-testid="totp-start">
              {t("security.appStart")}
            </button>
          </section>
        )
      ) : null}
      {list !== null && passkeysSupported() ? (
        <section aria-labelledby="passkey-title">
          <h2 id="passkey-title">{t("security.passkey")}</h2>
          <p>{t("security.passkeyLead")}</p>
          <form onSubmit={onSubmit(() => void addPasskey())} noValidate>
            <Field label={t("security.passkeyName")} name="name" value={passkeyName} onValue={setPasskeyName} testid="passkey-name" autoComplete="off" />
            <button type="submit" class="button" disabled={busy} data-testid="passkey-add">
              {busy ? t("security.waitingDevice") : t("security.addPasskey")}
            </button>
          </form>
        </section>
      ) : null}
      {recovery ? (
        <section aria-labelledby="recovery-title">
          <h2 id="recovery-title">{t("security.recovery")}</h2>
          <div class="row">
            <button type="button" class="button quiet" disabled={busy} onClick={() => void showCodes()} data-testid="recovery-show">
              {t("security.showCodes")}
            </button>
            <button type="button" class="button quiet" disabled={busy} onClick={() => void renewCodes()} data-testid="recovery-renew">
              {t("security.newCodes")}
            </button>
          </div>
        </section>
      ) : null}
    </Screen>
  );
}
