/**
 * The therapist's words (the `care` namespace, keys `care:…`). Every care screen, component and
 * formatter takes `t` from here rather than from lib/i18n, so the care catalogs load with the care
 * chunks only: English is bundled into them, Spanish is fetched when the app is in Spanish (the
 * care screens wait for `careWordsReady`, see lib/lazy.tsx `careScreen`), and again by setLocale
 * when the language changes while one is open.
 *
 * Not a top-level await: that makes Rollup split the shared first-load code into more chunks.
 */

import en from "../locales/care/en.json";
import { addNamespace } from "./i18n";

export const careWordsReady: Promise<void> = addNamespace("care", en, { es: () => import("../locales/care/es.json") });

export { formatDate, formatNumber, intlLocale, t } from "./i18n";
