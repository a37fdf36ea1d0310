import i18next from "i18next";
import { afterEach, describe, expect, it } from "vitest";
import { parseErrors } from "./errors";
import { buildHeaders } from "./http";
import { browserLocale, currentLocale, formatDate, formatNumber, setLocale, supportedLocale, t } from "./i18n";

afterEach(async () => {
  await setLocale("en");
});

describe("the locale", () => {
  it("maps the browser's tags to ours", () => {
    expect(supportedLocale("es-MX")).toBe("es");
    expect(supportedLocale("en-GB")).toBe("en-gb");
    expect(supportedLocale("en-US")).toBe("en");
    expect(supportedLocale("fr-FR")).toBeNull();
    expect(browserLocale(["fr-FR", "es-419", "en"])).toBe("es");
    expect(browserLocale(["de"])).toBe("en");
  });

  it("loads the Spanish catalog when Spanish is chosen, and back", async () => {
    expect(t("shell.settings")).toBe("Settings");
    await setLocale("es");
    expect(currentLocale()).toBe("es");
    expect(t("shell.settings")).toBe("Ajustes");
    expect(t("shell.waiting", { count: 3 })).toBe("3 cosas esperan para enviarse.");
    await setLocale("en-gb");
    expect(t("shell.waiting", { count: 1 })).toBe("1 thing is waiting to send.");
  });

  it("sends the language with every API call", async () => {
    await setLocale("es");
    expect(buildHeaders("GET", {}, null).get("Accept-Language")).toBe("es");
    await setLocale("en-gb");
    expect(buildHeaders("POST", {}, "x").get("Accept-Language")).toBe("en-GB");
  });

  it("says our own error words in the locale, the server's as sent", async () => {
    await setLocale("es");
    expect(parseErrors(0, null).errors[0]?.message).toBe("Parece que no tienes conexión. Inténtalo de nuevo cuando estés en línea.");
    const envelope = { status: 409, errors: [{ code: "rupture_not_open", message: "Ya está cerrado.", param: null }] };
    expect(parseErrors(409, envelope).errors[0]?.message).toBe("Ya está cerrado.");
  });

  it("formats dates and numbers in the locale", async () => {
    await setLocale("es");
    expect(formatDate("2026-03-03T12:00:00Z")).toMatch(/^3 mar 2026$/);
    expect(formatNumber(1234.5)).toBe("1234,5");
    await setLocale("en");
    expect(formatDate("2026-03-03T12:00:00Z")).toBe("Mar 3, 2026");
  });

  it("loads the therapist's words only with the care code, in the language shown", async () => {
    await setLocale("es");
    expect(i18next.exists("care:caseload.repairs30")).toBe(false);
    const care = await import("./careWords");
    await care.careWordsReady;
    expect(care.t("care:caseload.repairs30")).toBe("Reparaciones, últimos 30 días");
    await setLocale("en-gb");
    expect(care.t("care:caseload.repairs30")).toBe("Repairs, last 30 days");
    await setLocale("es"); // switched while a care screen is open
    expect(care.t("care:caseload.repairs30")).toBe("Reparaciones, últimos 30 días");
    expect(t("shell.settings")).toBe("Ajustes");
  });
});
