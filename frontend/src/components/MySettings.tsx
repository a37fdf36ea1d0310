/** The signed-in person's own settings: time zone, quiet hours, notification channels, push. */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Checkbox, Field, FormErrors, onSubmit, useSubmit } from "./ui";
import { api } from "../lib/api";
import { errorsOf } from "../lib/errors";
import { currentNeedsIosInstallHint } from "../lib/platform";
import { currentSubscription, disablePush, enablePush, pushSupport } from "../lib/push";
import { t, type Locale } from "../lib/i18n";
import { announce, chooseLocale, refreshMe, setState, useAppState } from "../lib/store";
import { InstallHint } from "./InstallHint";

/** Each language named in itself, so anyone can find their own. */
const LANGUAGES: readonly { locale: Locale; name: string }[] = [
  { locale: "en", name: "English" },
  { locale: "en-gb", name: "English (UK)" },
  { locale: "es", name: "Español" },
];

/** The language picker: it changes the app at once and saves the choice as `me.locale`. */
export function LanguagePicker(): JSX.Element {
  const s = useAppState();
  const [errors, setErrors] = useState<string[]>([]);
  const change = async (value: string): Promise<void> => {
    const chosen = LANGUAGES.find((l) => l.locale === value);
    if (!chosen) return;
    setErrors([]);
    try {
      await chooseLocale(chosen.locale);
      announce(t("settings.languageSaved"));
    } catch (err) {
      setErrors(errorsOf(err).map((e) => e.message));
    }
  };
  return (
    <div class="field">
      <label for="language">{t("settings.language")}</label>
      <select id="language" value={s.locale} onChange={(e) => void change((e.currentTarget as HTMLSelectElement).value)} data-testid="locale">
        {LANGUAGES.map((l) => (
          <option key={l.locale} value={l.locale} lang={l.locale === "es" ? "es" : "en"}>
            {l.name}
          </option>
        ))}
      </select>
      <FormErrors messages={errors} testid="locale-errors" />
    </div>
  );
}

function zones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const list = intl.supportedValuesOf?.("timeZone") ?? [];
  return list.includes(current) || !current ? list : [current, ...list];
}

export function MySettings(): JSX.Element | null {
  const s = useAppState();
  const me = s.me;
  const [name, setName] = useState(me?.display_name ?? "");
  const [tz, setTz] = useState(me?.time_zone || Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [qStart, setQStart] = useState(me?.quiet_hours?.start ?? "");
  const [qEnd, setQEnd] = useState(me?.quiet_hours?.end ?? "");
  const [email, setEmail] = useState(me?.notify_email ?? true);
  const [push, setPush] = useState(me?.notify_push ?? false);
  const [pushState, setPushState] = useState<"on" | "off" | "unknown">("unknown");
  const [pushMsg, setPushMsg] = useState<string[]>([]);
  const form = useSubmit(["display_name", "time_zone", "quiet_hours", "notify_email", "notify_push"]);
  const support = pushSupport(currentNeedsIosInstallHint());

  useEffect(() => {
    void currentSubscription()
      .then((sub) => setPushState(sub ? "on" : "off"))
      .catch(() => setPushState("off"));
  }, []);

  if (!me) return null;

  const save = (): Promise<void> =>
    form.run(async () => {
      const updated = await api.updateMe({
        display_name: name.trim(),
        time_zone: tz,
        // Both ends, or none: the server refuses half a window (and says which end is missing).
        quiet_hours: qStart || qEnd ? { start: qStart, end: qEnd } : null,
        notify_email: email,
        notify_push: push,
      });
      setState({ me: { ...me, ...updated } });
      await refreshMe().catch(() => undefined);
      announce(t("common.saved"));
    });

  const turnOnPush = async (): Promise<void> => {
    setPushMsg([]);
    try {
      const result = await enablePush();
      if (result === "denied") {
        setPushMsg([t("settings.pushBlocked")]);
        return;
      }
      setPushState("on");
      setPush(true);
      await api.updateMe({ notify_push: true }).catch(() => undefined);
      announce(t("settings.pushOn"));
    } catch (err) {
      setPushMsg(errorsOf(err).map((e) => e.message));
    }
  };

  const turnOffPush = async (): Promise<void> => {
    await disablePush().catch(() => undefined);
    setPushState("off");
    announce(t("settings.pushOff"));
  };

  const tzList = zones(tz);
  return (
    <section aria-labelledby="my-settings-title">
      <h2 id="my-settings-title">{t("settings.title")}</h2>
      <LanguagePicker />
      <form onSubmit={onSubmit(() => void save())} noValidate>
        <FormErrors messages={form.general} />
        <Field label={t("settings.name")} name="display_name" value={name} onValue={setName} errors={form.byField["display_name"]} testid="display-name" autoComplete="nickname" />
        <div class="field">
          <label for="time-zone">{t("settings.timeZone")}</label>
          <select id="time-zone" value={tz} onChange={(e) => setTz((e.currentTarget as HTMLSelectElement).value)} data-testid="time-zone">
            {tzList.length ? tzList.map((z) => <option key={z} value={z}>{z.replace(/_/g, " ")}</option>) : <option value={tz}>{tz}</option>}
          </select>
          {form.byField["time_zone"] ? <p class="field-error">{form.byField["time_zone"].join(" ")}</p> : null}
        </div>
        <fieldset>
          <legend>{t("settings.quietHours")}</legend>
          <p class="hint" id="quiet-hint">{t("settings.quietHint")}</p>
          <div class="row">
            <div class="field">
              <label for="quiet-start">{t("settings.quietFrom")}</label>
              <input id="quiet-start" type="time" value={qStart} onInput={(e) => setQStart((e.currentTarget as HTMLInputElement).value)} aria-describedby="quiet-hint" data-testid="quiet-start" />
            </div>
            <div class="field">
              <label for="quiet-end">{t("settings.quietUntil")}</label>
              <input id="quiet-end" type="time" value={qEnd} onInput={(e) => setQEnd((e.currentTarget as HTMLInputElement).value)} aria-describedby="quiet-hint" data-testid="quiet-end" />
            </div>
          </div>
          {form.byField["quiet_hours"] ? <p class="field-error">{form.byField["quiet_hours"].join(" ")}</p> : null}
        </fieldset>
        <fieldset>
          <legend>{t("settings.notifyBy")}</legend>
          <Checkbox label={t("settings.notifyEmail")} checked={email} onChange={setEmail} testid="notify-email" />
          <Checkbox label={t("settings.notifyPush")} checked={push} onChange={setPush} testid="notify-push" />
        </fieldset>
        <button type="submit" class="button primary" disabled={form.busy} data-testid="save-settings">
          {form.busy ? t("common.saving") : t("settings.save")}
        </button>
      </form>

      <h3>{t("settings.deviceTitle")}</h3>
      {support === "needs-install" ? <InstallHint force /> : null}
      {support === "unsupported" ? <p>{t("settings.pushUnsupported")}</p> : null}
      {support === "supported" ? (
        pushState === "on" ? (
          <p>
            {t("settings.pushOn")}{" "}
            <button type="button" class="link-button" onClick={() => void turnOffPush()} data-testid="push-disable">
              {t("settings.turnOff")}
            </button>
          </p>
        ) : (
          <button type="button" class="button" onClick={() => void turnOnPush()} data-testid="push-enable">
            {t("settings.turnOn")}
          </button>
        )
      ) : null}
      <FormErrors messages={pushMsg} testid="push-errors" />
    </section>
  );
}
