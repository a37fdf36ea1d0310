/**
 * A family's figures for a period, as the server computed them (`DashboardOut` and its twins, the
 * member's preview and the printable summary): headline numbers with the previous period beside
 * them, the weekly chart (chart.js, loaded on demand) with its numbers as a table, who starts
 * repair, each parent-child pair, when ruptures happen, feelings, needs and sizes. Every figure is
 * self-reported through the app and the screen says so with the server's own label.
 */

import type { ComponentChildren, JSX } from "preact";
import { duration, formatDate, percent } from "../../lib/careFormat";
import type { Duration, PeriodFigures } from "../../lib/types";
import { WeeklyChart } from "./WeeklyChart";

export const PERIODS = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "A year" },
  { value: "all", label: "All" },
] as const;
export type PeriodChoice = (typeof PERIODS)[number]["value"];

export function PeriodPicker(props: {
  value: PeriodChoice;
  compare: boolean;
  onChange: (period: PeriodChoice, compare: boolean) => void;
}): JSX.Element {
  return (
    <fieldset class="period-picker">
      <legend>Period</legend>
      <div class="chips">
        {PERIODS.map((p) => (
          <span class="chip" key={p.value}>
            <input
              type="radio"
              id={`period-${p.value}`}
              name="period"
              value={p.value}
              checked={props.value === p.value}
              onChange={() => props.onChange(p.value, props.compare)}
              data-testid={`period-${p.value}`}
            />
            <label for={`period-${p.value}`}>{p.label}</label>
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
        <label for="period-compare">Compare with the period before</label>
      </div>
    </fieldset>
  );
}

function durationText(d: Duration): string {
  return d.count ? `median ${duration(d.median_seconds)}, p90 ${duration(d.p90_seconds)} (${d.count})` : "–";
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
    { label: "Ruptures", now: String(props.now.ruptures), before: b ? String(b.ruptures) : undefined },
    { label: "Repairs (reconnected)", now: String(props.now.repairs), before: b ? String(b.repairs) : undefined },
    { label: "Repair rate (reconnected / closed)", now: percent(props.now.repair_rate), before: b ? percent(b.repair_rate) : undefined },
    { label: "Time to acknowledge", now: durationText(props.now.time_to_acknowledge), before: b ? durationText(b.time_to_acknowledge) : undefined },
    { label: "Time to reconnect", now: durationText(props.now.time_to_reconnect), before: b ? durationText(b.time_to_reconnect) : undefined },
    { label: "“Not yet” answers", now: String(props.now.not_yet_answers), before: b ? String(b.not_yet_answers) : undefined },
    {
      label: "“Still OK?”: yes / not really",
      now: `${props.now.follow_up_answers.ok} / ${props.now.follow_up_answers.not_really}`,
      before: b ? `${b.follow_up_answers.ok} / ${b.follow_up_answers.not_really}` : undefined,
    },
    { label: "Started by a parent", now: percent(props.now.started_by.parent_share), before: b ? percent(b.started_by.parent_share) : undefined },
  ];
  return (
    <div class="table-wrap" tabIndex={0}>
      <table class="figures" data-testid="headline-figures">
        <caption class="visually-hidden">The period's figures{b ? ", and the period before" : ""}</caption>
        <thead>
          <tr>
            <th scope="col">Figure</th>
            <th scope="col">This period</th>
            {b ? <th scope="col">Period before</th> : null}
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

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** Hour-of-day by weekday as a table whose cells are shaded by count: the map and its numbers in one. */
function HeatMap(props: { grid: number[][]; timeZone: string }): JSX.Element {
  const max = Math.max(1, ...props.grid.flat());
  const bands = [0, 3, 6, 9, 12, 15, 18, 21];
  return (
    <div class="table-wrap" tabIndex={0}>
      <table class="heat-map" data-testid="heat-map">
        <caption>When ruptures happened (hours in {props.timeZone}; each cell is three hours)</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {bands.map((h) => (
              <th scope="col" key={h}>
                {String(h).padStart(2, "0")}–{String(h + 3).padStart(2, "0")}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.grid.map((row, d) => (
            <tr key={DAYS[d]}>
              <th scope="row">{DAYS[d]}</th>
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
        <p class="hint">None in this period.</p>
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
      <Section id="fig-headline" title="At a glance">
        <Headline now={f} before={props.previous} />
      </Section>
      <Section id="fig-weeks" title="Ruptures and repairs each week">
        {props.print ? null : <WeeklyChart weeks={f.weeks} />}
        <details class="table-details" open={props.print}>
          <summary>The numbers, week by week</summary>
          <div class="table-wrap" tabIndex={0}>
            <table class="figures" data-testid="weeks-table">
              <caption class="visually-hidden">Ruptures and repairs each week</caption>
              <thead>
                <tr>
                  <th scope="col">Week of</th>
                  <th scope="col">Ruptures</th>
                  <th scope="col">Repairs</th>
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
      <Section id="fig-starts" title="Who starts repair">
        <div class="table-wrap" tabIndex={0}>
          <table class="figures" data-testid="starts-table">
            <caption class="visually-hidden">Ruptures a parent flagged themselves, and ruptures a child flagged, per parent</caption>
            <thead>
              <tr>
                <th scope="col">Parent</th>
                <th scope="col">Parent flagged it</th>
                <th scope="col">Child flagged it</th>
                <th scope="col">Parent's share</th>
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
      <Section id="fig-pairs" title="Each parent and child">
        <div class="table-wrap" tabIndex={0}>
          <table class="figures" data-testid="pairs-table">
            <caption class="visually-hidden">The figures per parent-child pair</caption>
            <thead>
              <tr>
                <th scope="col">Pair</th>
                <th scope="col">Ruptures</th>
                <th scope="col">Repairs</th>
                <th scope="col">Repair rate</th>
                <th scope="col">Median time to reconnect</th>
                <th scope="col">Started by the parent</th>
              </tr>
            </thead>
            <tbody>
              {f.pairs.map((p) => (
                <tr key={`${String(p.parent.id)}-${String(p.child.id)}`}>
                  <th scope="row">
                    {p.parent.display_name} and {p.child.display_name}
                  </th>
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
      <Section id="fig-when" title="When ruptures happen">
        <HeatMap grid={f.heat_map} timeZone={props.timeZone} />
      </Section>
      <Section id="fig-words" title="Feelings, needs and sizes">
        <div class="counts-grid">
          <Counts title="Feelings most named" items={f.feelings} testid="feelings-counts" />
          <Counts title="Needs asked for" items={f.needs} testid="needs-counts" />
          <Counts title="Sizes" items={f.sizes} testid="sizes-counts" />
        </div>
      </Section>
      <Section id="fig-steps" title="Reminders and repair steps">
        <ul class="plain">
          <li>
            Acknowledged with no reminder: <strong>{f.reminders_before_acknowledgement.none}</strong>, after one:{" "}
            <strong>{f.reminders_before_acknowledgement.one}</strong>, two: <strong>{f.reminders_before_acknowledgement.two}</strong>,
            three or more: <strong>{f.reminders_before_acknowledgement.three_or_more}</strong>
          </li>
          <li>
            Repairs with every step done: <strong>{f.repair_steps.all_done}</strong>, some skipped:{" "}
            <strong>{f.repair_steps.some_skipped}</strong>, none done: <strong>{f.repair_steps.none_done}</strong>
          </li>
        </ul>
      </Section>
    </div>
  );
}
