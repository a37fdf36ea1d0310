/** How the care screens write the server's figures: shares, durations, dates, in the reader's locale. */

import { formatDate as formatDay, formatNumber, intlLocale, t } from "./careWords";

export function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? "–" : formatNumber(share, { style: "percent", maximumFractionDigits: 0 });
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "–";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t("care:format.minutes", { n: formatNumber(minutes) });
  const hours = minutes / 60;
  if (hours < 48) return t("care:format.hours", { n: formatNumber(Math.round(hours * 10) / 10) });
  const days = Math.round((hours / 24) * 10) / 10;
  return t("care:format.days", { count: days, n: formatNumber(days) });
}

/** A calendar date (`2026-11-02`, or the date part of a timestamp) in the reader's words. */
export function formatDate(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T12:00:00`);
  return Number.isNaN(d.getTime()) ? iso : formatDay(d);
}

/** Monday to Sunday, short ("Mon" / "lun"), in the reader's locale. */
export function weekdays(): string[] {
  // 2024-01-01 was a Monday.
  return [0, 1, 2, 3, 4, 5, 6].map((d) => new Date(2024, 0, 1 + d, 12).toLocaleDateString(intlLocale(), { weekday: "short" }));
}
