/**
 * A family's figures for a period, as the server computed them (`DashboardOut` and its twins, the
 * member's preview and the printable summary): headline numbers with the previous period beside
 * them, the weekly chart (chart.js, loaded on demand) with its numbers as a table, who starts
 * repair, each parent-child pair, when ruptures happen, feelings, needs and sizes. Every figure is
 * self-reported through the app and the screen says so with the server's own label.
 */

import type { ComponentChildren, JSX } from "preact";
import { duration, formatDate, percent, weekdays } from "../../lib/careFormat";
import { t } from "../../lib/careWords";
import type { Duration, PeriodFigures } from "../../lib/types";
import { WeeklyChart } from "./WeeklyChart";

export const PERIODS = ["30", "90", "365", "all"] as const;
export type PeriodChoice = (typeof PERIODS)[number];

function periodLabel(p: PeriodChoice): string {
  switch (p) {
    case "30":
      return t("care:periods.p30");
    case "90":
      return t("care:periods.p90");
    case "365":
      return t("care:periods.p365");
    default:
      return t("care:periods.all");
  }
}

export function PeriodPicker(props: {
  value: PeriodChoice;
  compare: boolean;
  onChange: (period: PeriodChoice, compare: boolean) => void;
}): JSX.Element {
  return (
    <fieldset class="period-picker">
      <legend>{t("care:periods.legend")}</legend>
      <div class="chips">
        {PERIODS.map((p) => (
          <span class="chip" key={p}>
            <input
              type="radio"
              id={`period-${p}`}
              name="period"
              value={p}
              checked={props.value === p}
              onChange={() => props.onChange(p, props.compare)}
              data-testid={`period-${p}`}
            />
            <label for={`period-${p}`}>{periodLabel(p)}</label>
          </span>
        ))}
      </div>
      <div class="check">
        <input
          type="checkbox"
          id="period-compare"
          checked={props.compare}
          onChange={(e) => props.onChange(props.value, (e.currentTarget as HTMLInputElement).checked)}
          data-testid="period-compare"
        />
        <label for="period-compare">{t("care:periods.compare")}</label>
      </div>
    </fieldset>
  );
}

function durationText(d: Duration): string {
  return d.count ? t("care:figures.duration", { median: duration(d.median_seconds), p90: duration(d.p90_seconds), count: d.count }) : "–";
}

/** The server's "self-reported" label, shown with every set of figures. */
export function SelfReported(props: { label: string }): JSX.Element {
  return (
    <p class="self-reported" data-testid="self-reported">
      {props.label}
    </p>
  );
}

function Section(props: { id: string; title: string; children: ComponentChildren }): JSX.Element {
  return (
    <section aria-labelledby={props.id} class="figures-section">
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

interface Row {
  label: string;
  now: string;
  before?: string | undefined;
}

function Headline(props: { now: PeriodFigures; before: PeriodFigures | null }): JSX.Element {
  const b = props.before;
  const rows: Row[] = [
    { label: t("care:figures.rowRuptures"), now: String(props.now.ruptures), before: b ? String(b.ruptures) : undefined },
    { label: t("care:figures.rowRepairs"), now: String(props.now.repairs), before: b ? String(b.repairs) : undefined },
    { label: t("care:figures.rowRate"), now: percent(props.now.repair_rate), before: b ? percent(b.repair_rate) : undefined },
    { label: t("care:figures.rowAck"), now: durationText(props.now.time_to_acknowledge), before: b ? durationText(b.time_to_acknowledge) : undefined },
    { label: t("care:figures.rowReconnect"), now: durationText(props.now.time_to_reconnect), before: b ? durationText(b.time_to_reconnect) : undefined },
    { label: t("care:figures.rowNotYet"), now: String(props.now.not_yet_answers), before: b ? String(b.not_yet_answers) : undefined },
    {
      label: t("care:figures.rowStillOk"),
      now: `${props.now.follow_up_answers.ok} / ${props.now.follow_up_answers.not_really}`,
      before: b ? `${b.follow_up_answers.ok} / ${b.follow_up_answers.not_really}` : undefined,
    },
    { label: t("care:figures.rowParentStarted"), now: percent(props.now.started_by.parent_share), before: b ? percent(b.started_by.parent_share) : undefined },
  ];
  return (
    <div class="table-wrap" tabIndex={0}>
      <table class="figures" data-testid="headline-figures">
        <caption class="visually-hidden">{b ? t("care:figures.headlineCaptionCompare") : t("care:figures.headlineCaption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("care:figures.colFigure")}</th>
            <th scope="col">{t("care:figures.colNow")}</th>
            {b ? <th scope="col">{t("care:figures.colBefore")}</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label}>
              <th scope="row">{r.label}</th>
              <td>{r.now}</td>
              {b ? <td>{r.before}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}


/** Hour-of-day by weekday as a table whose cells are shaded by count: the map and its numbers in one. */
function HeatMap(props: { grid: number[][]; timeZone: string }): JSX.Element {
  const max = Math.max(1, ...props.grid.flat());
  const bands = [0, 3, 6, 9, 12, 15, 18, 21];
  const days = weekdays();
  return (
    <div class="table-wrap" tabIndex={0}>
      <table class="heat-map" data-testid="heat-map">
        <caption>{t("care:figures.heatCaption", { zone: props.timeZone })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("care:figures.colDay")}</th>
            {bands.map((h) => (
              <th scope="col" key={h}>
                {String(h).padStart(2, "0")}–{String(h + 3).padStart(2, "0")}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.grid.map((row, d) => (
            <tr key={d}>
              <th scope="row">{days[d]}</th>
              {bands.map((h) => {
                const n = (row[h] ?? 0) + (row[h + 1] ?? 0) + (row[h + 2] ?? 0);
                const level = n === 0 ? 0 : Math.min(4, Math.ceil((n / max) * 4));
                return (
                  <td key={h} class={`heat-${level}`}>
                    {n}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Counts(props: { title: string; items: { code: string; label: string; count: number; emoji?: string }[]; testid: string }): JSX.Element {
  return (
    <div>
      <h3>{props.title}</h3>
      {props.items.length ? (
        <ul class="plain counts" data-testid={props.testid}>
          {props.items.map((i) => (
            <li key={i.code}>
              {i.emoji ? <span aria-hidden="true">{i.emoji} </span> : null}
              {i.label}: <strong>{i.count}</strong>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">{t("care:figures.none")}</p>
      )}
    </div>
  );
}

export function Figures(props: {
  figures: PeriodFigures;
  previous: PeriodFigures | null;
  label: string;
  timeZone: string;
  /** The printable summary: no chart, the tables only. */
  print?: boolean;
}): JSX.Element {
  const f = props.figures;
  return (
    <div class="figures-body">
      <SelfReported label={props.label} />
      <Section id="fig-headline" title={t("care:figures.headlineTitle")}>
        <Headline now={f} before={props.previous} />
      </Section>
      <Section id="fig-weeks" title={t("care:figures.weeksTitle")}>
        {props.print ? null : <WeeklyChart weeks={f.weeks} />}
        <details class="table-details" open={props.print}>
          <summary>{t("care:figures.weeksTable")}</summary>
          <div class="table-wrap" tabIndex={0}>
            <table class="figures" data-testid="weeks-table">
              <caption class="visually-hidden">{t("care:figures.weeksTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("care:figures.colWeekOf")}</th>
                  <th scope="col">{t("care:figures.colRuptures")}</th>
                  <th scope="col">{t("care:figures.colRepairs")}</th>
                </tr>
              </thead>
              <tbody>
                {f.weeks.map((w) => (
                  <tr key={w.week_start}>
                    <th scope="row">{formatDate(w.week_start)}</th>
                    <td>{w.ruptures}</td>
                    <td>{w.repairs}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </Section>
      <Section id="fig-starts" title={t("care:figures.startsTitle")}>
        <div class="table-wrap" tabIndex={0}>
          <table class="figures" data-testid="starts-table">
            <caption class="visually-hidden">{t("care:figures.startsCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("care:figures.colParent")}</th>
                <th scope="col">{t("care:figures.colParentFlagged")}</th>
                <th scope="col">{t("care:figures.colChildFlagged")}</th>
                <th scope="col">{t("care:figures.colParentShare")}</th>
              </tr>
            </thead>
            <tbody>
              {f.by_parent.map((p) => (
                <tr key={String(p.parent.id ?? p.parent.display_name)}>
                  <th scope="row">{p.parent.display_name}</th>
                  <td>{p.parent_started}</td>
                  <td>{p.child_flagged}</td>
                  <td>{percent(p.parent_share)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <Section id="fig-pairs" title={t("care:figures.pairsTitle")}>
        <div class="table-wrap" tabIndex={0}>
          <table class="figures" data-testid="pairs-table">
            <caption class="visually-hidden">{t("care:figures.pairsCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("care:figures.colPair")}</th>
                <th scope="col">{t("care:figures.colRuptures")}</th>
                <th scope="col">{t("care:figures.colRepairs")}</th>
                <th scope="col">{t("care:figures.colRate")}</th>
                <th scope="col">{t("care:figures.colMedianReconnect")}</th>
                <th scope="col">{t("care:figures.colStartedByParent")}</th>
              </tr>
            </thead>
            <tbody>
              {f.pairs.map((p) => (
                <tr key={`${String(p.parent.id)}-${String(p.child.id)}`}>
                  <th scope="row">{t("care:figures.pair", { parent: p.parent.display_name, child: p.child.display_name })}</th>
                  <td>{p.ruptures}</td>
                  <td>{p.repairs}</td>
                  <td>{percent(p.repair_rate)}</td>
                  <td>{duration(p.time_to_reconnect.median_seconds)}</td>
                  <td>{percent(p.started_by.parent_share)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <Section id="fig-when" title={t("care:figures.whenTitle")}>
        <HeatMap grid={f.heat_map} timeZone={props.timeZone} />
      </Section>
      <Section id="fig-words" title={t("care:figures.wordsTitle")}>
        <div class="counts-grid">
          <Counts title={t("care:figures.feelings")} items={f.feelings} testid="feelings-counts" />
          <Counts title={t("care:figures.needs")} items={f.needs} testid="needs-counts" />
          <Counts title={t("care:figures.sizes")} items={f.sizes} testid="sizes-counts" />
        </div>
      </Section>
      <Section id="fig-steps" title={t("care:figures.stepsTitle")}>
        <ul class="plain">
          <li>
            {t("care:figures.reminders", {
              none: f.reminders_before_acknowledgement.none,
              one: f.reminders_before_acknowledgement.one,
              two: f.reminders_before_acknowledgement.two,
              more: f.reminders_before_acknowledgement.three_or_more,
            })}
          </li>
          <li>{t("care:figures.steps", { all: f.repair_steps.all_done, some: f.repair_steps.some_skipped, none: f.repair_steps.none_done })}</li>
        </ul>
      </Section>
    </div>
  );
}
