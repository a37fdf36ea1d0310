/**
 * The PWA's words in the person's language, through i18next (a kept library: plurals by
 * Intl.PluralRules, `{{name}}` interpolation, typed keys). English is bundled with the app; the
 * Spanish catalog is its own chunk, fetched only when Spanish is shown, so the English first
 * load stays small. The therapist's screens have their own namespace (`care`, keys `care:…`,
 * lib/careWords.ts): its catalogs ride in the care chunks, so a family's device never loads them. The language is the signed-in person's `me.locale` (Settings); before
 * sign-in, the browser's `navigator.languages`. Dates and numbers go through Intl in the same
 * locale, and API calls carry it as Accept-Language so the server answers in it too.
 *
 * Words the server sends (feelings, repair steps, help lines) are shown as sent: they are in the
 * person's language already and are not repeated here.
 */

import i18next from "i18next";
import type careEn from "../locales/care/en.json";
import en from "../locales/en.json";
import { setFallbackWords } from "./errors";
import { setAcceptLanguage } from "./http";

/** The `locale` values `/api/v1/me/` accepts. */
export type Locale = "en" | "en-gb" | "es";
/** A catalog: `en-gb` reads the English one (only dates differ). */
type Catalog = "en" | "es";

export const LOCALES: readonly Locale[] = ["en", "en-gb", "es"];

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof en; care: typeof careEn };
    returnNull: false;
  }
}

/** Fetches one non-English catalog (its own chunk, precached by the service worker). */
export type CatalogLoaders = Record<Exclude<Catalog, "en">, () => Promise<{ default: unknown }>>;
/** The namespaces i18next knows; `care` only once the therapist's code has loaded. */
type Namespace = "translation" | "care";

const loaders = new Map<Namespace, CatalogLoaders>([["translation", { es: () => import("../locales/es.json") }]]);
/** The catalog being switched to (set before its words load, so a namespace added meanwhile follows). */
let wanted: Catalog = "en";

let current: Locale = "en";
const listeners = new Set<(locale: Locale) => void>();

void i18next.init({
  lng: "en",
  fallbackLng: "en",
  supportedLngs: ["en", "es"],
  resources: { en: { translation: en } },
  initAsync: false,
  interpolation: { escapeValue: false }, // Preact escapes what it renders.
  returnNull: false,
});

/** The translation function; components read it at render time (the shell re-renders on change). */
export const t = i18next.t.bind(i18next);

const FALLBACK_ERRORS = {
  network: () => t("errors.network"),
  invalid: () => t("errors.invalid"),
  not_authenticated: () => t("errors.not_authenticated"),
  permission_denied: () => t("errors.permission_denied"),
  not_found: () => t("errors.not_found"),
  conflict: () => t("errors.conflict"),
  gone: () => t("errors.gone"),
  too_large: () => t("errors.too_large"),
  throttled: () => t("errors.throttled"),
  server_error: () => t("errors.server_error"),
  error: () => t("errors.error"),
} satisfies Record<string, () => string>;

setFallbackWords((code, english) => (Object.hasOwn(FALLBACK_ERRORS, code) ? FALLBACK_ERRORS[code as keyof typeof FALLBACK_ERRORS]() : english));

function catalogOf(locale: Locale): Catalog {
  return locale === "es" ? "es" : "en";
}

/** The supported locale for a BCP 47 tag (`es-MX` → `es`, `en-GB` → `en-gb`), or null. */
export function supportedLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const lower = tag.toLowerCase();
  if (lower === "en-gb") return "en-gb";
  const lang = lower.split("-")[0];
  if (lang === "es") return "es";
  if (lang === "en") return "en";
  return null;
}

/** The first of the browser's languages we have, else English. */
export function browserLocale(languages: readonly string[] = typeof navigator === "undefined" ? [] : navigator.languages): Locale {
  for (const tag of languages) {
    const found = supportedLocale(tag);
    if (found) return found;
  }
  return "en";
}

export function currentLocale(): Locale {
  return current;
}

/** The tag Intl formats with (`en-gb` → `en-GB`). */
export function intlLocale(locale: Locale = current): string {
  return locale === "en-gb" ? "en-GB" : locale;
}

/** Called after each change (the store keeps the locale so the shell re-renders). */
export function onLocaleChange(listener: (locale: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Adds `ns`'s words in `catalog` the first time; no catalog (offline before the first precache) leaves English. */
async function loadBundle(catalog: Catalog, ns: Namespace): Promise<void> {
  const load = catalog === "en" ? undefined : loaders.get(ns)?.[catalog];
  if (!load || i18next.hasResourceBundle(catalog, ns)) return;
  try {
    i18next.addResourceBundle(catalog, ns, (await load()).default, true, true);
  } catch {
    // English words (the fallback language), the person's dates.
  }
}

/**
 * Registers a lazily loaded namespace: its English words come with its code, the others are
 * fetched now if the app is not in English, and on each later switch with the main catalog.
 * Its code awaits this before rendering, so no screen shows English words in a Spanish app.
 */
export async function addNamespace(ns: Exclude<Namespace, "translation">, english: unknown, others: CatalogLoaders): Promise<void> {
  if (!i18next.hasResourceBundle("en", ns)) i18next.addResourceBundle("en", ns, english, true, true);
  loaders.set(ns, others);
  await loadBundle(wanted, ns);
}

/**
 * Shows the app in `locale`: fetches its catalogs the first time (offline, the service worker's
 * precache has them), then switches. Falls back to English words if a catalog cannot load.
 */
export async function setLocale(locale: Locale): Promise<void> {
  const catalog = catalogOf(locale);
  wanted = catalog;
  await Promise.all([...loaders.keys()].map((ns) => loadBundle(catalog, ns)));
  await i18next.changeLanguage(catalog);
  current = locale;
  setAcceptLanguage(intlLocale(locale));
  if (typeof document !== "undefined") document.documentElement.lang = intlLocale(locale);
  for (const l of listeners) l(locale);
}

// --- formatting ---------------------------------------------------------------------------

/** A moment with its weekday and time ("Tue 3 Mar, 14:05" / "mar, 3 mar, 14:05"). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleString(intlLocale(), { weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" });
}

/** A day ("3 Mar 2026" / "3 mar 2026"). */
export function formatDate(value: string | Date): string {
  const d = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return typeof value === "string" ? value : "";
  return d.toLocaleDateString(intlLocale(), { day: "numeric", month: "short", year: "numeric" });
}

export function formatNumber(n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(intlLocale(), options).format(n);
}

/** "Ada, Sam and Mia" / "Ada, Sam y Mia". */
export function formatList(items: readonly string[]): string {
  return new Intl.ListFormat(intlLocale(), { style: "long", type: "conjunction" }).format(items);
}
