/** The language picker (Settings, and the log-in screen): changes the app at once. */

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { errorsOf } from "../lib/errors";
import { t, type Locale } from "../lib/i18n";
import { announce, chooseLocale, useAppState } from "../lib/store";
import { FormErrors } from "./ui";

/** Each language named in itself, so anyone can find their own. */
const LANGUAGES: readonly { locale: Locale; name: string }[] = [
  { locale: "en", name: "English" },
  { locale: "en-gb", name: "English (UK)" },
  { locale: "es", name: "Español" },
];

/** Signed in, the choice is saved as `me.locale`; before sign-in, on this device until then. */
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
