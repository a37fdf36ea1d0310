/**
 * The family check-in trend (the dashboard's `check_ins`): each pair's two questions, averaged per
 * two-week round, as a line chart with the same numbers in a table beside it. It is our own
 * question set, not a validated instrument, and the screen says so in the reader's language
 * (the server's `label` says the same, so it is not shown twice).
 * chart.js is imported on demand, as in WeeklyChart: never on the family's first load.
 */

import type { JSX } from "preact";
import { ChartCanvas } from "./ChartCanvas";
import { formatDate } from "../../lib/careFormat";
import { formatNumber, t } from "../../lib/careWords";
import type { Dashboard } from "../../lib/types";

type Trend = Dashboard["check_ins"];
type Round = Trend["rounds"][number];

function questionText(q: Round["question"]): string {
  return q === "closeness" ? t("care:checkIns.closeness") : t("care:checkIns.makeUp");
}

function pairName(r: Round): string {
  return t("care:figures.pair", { parent: r.parent.display_name, child: r.child.display_name });
}

function seriesOf(rounds: readonly Round[]): { label: string; points: Map<string, number> }[] {
  const series = new Map<string, Map<string, number>>();
  for (const r of rounds) {
    const label = `${pairName(r)}: ${questionText(r.question)}`;
    const points = series.get(label) ?? new Map<string, number>();
    points.set(r.period_start, r.average);
    series.set(label, points);
  }
  return [...series.entries()].map(([label, points]) => ({ label, points }));
}

const COLOURS = ["#2f6b5e", "#9c3b2a", "#3b5a9c", "#7a5c00", "#6b2f6b", "#2a7a9c"];

async function draw(canvas: HTMLCanvasElement, rounds: readonly Round[]): Promise<{ destroy: () => void }> {
  const { CategoryScale, Chart, Legend, LineController, LineElement, LinearScale, PointElement } = await import("chart.js");
  Chart.register(CategoryScale, Legend, LineController, LineElement, LinearScale, PointElement);
  const starts = [...new Set(rounds.map((r) => r.period_start))].sort();
  return new Chart(canvas, {
    type: "line",
    data: {
      labels: starts.map(formatDate),
      datasets: seriesOf(rounds).map((s, i) => ({
        label: s.label,
        data: starts.map((d) => s.points.get(d) ?? null),
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length],
        spanGaps: true,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { min: 1, max: 5, ticks: { stepSize: 1 } } },
      plugins: { legend: { position: "bottom" } },
    },
  });
}

function TrendChart(props: { rounds: readonly Round[] }): JSX.Element {
  return <ChartCanvas draw={(canvas) => draw(canvas, props.rounds)} data={props.rounds} failed={t("care:checkIns.failed")} testid="check-in-chart" />;
}

export function CheckInTrend(props: { trend: Trend; print?: boolean }): JSX.Element {
  const rounds = props.trend.rounds;
  return (
    <section aria-labelledby="fig-check-ins" class="figures-section" data-testid="check-in-trend">
      <h2 id="fig-check-ins">{t("care:checkIns.title")}</h2>
      <p class="self-reported" data-testid="check-in-label">
        {t("care:checkIns.notValidated")}
      </p>
      {rounds.length === 0 ? (
        <p class="hint" data-testid="check-in-none">
          {t("care:checkIns.none")}
        </p>
      ) : (
        <div class="check-in-trend">
          {props.print ? null : <TrendChart rounds={rounds} />}
          <div class="table-wrap" tabIndex={0}>
            <table class="figures" data-testid="check-in-table">
              <caption>{t("care:checkIns.caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("care:checkIns.colRound")}</th>
                  <th scope="col">{t("care:figures.colPair")}</th>
                  <th scope="col">{t("care:checkIns.colQuestion")}</th>
                  <th scope="col">{t("care:checkIns.colAverage")}</th>
                  <th scope="col">{t("care:checkIns.colAnswers")}</th>
                </tr>
              </thead>
              <tbody>
                {rounds.map((r) => (
                  <tr key={`${r.period_start}-${String(r.parent.id)}-${String(r.child.id)}-${r.question}`}>
                    <th scope="row">{formatDate(r.period_start)}</th>
                    <td>{pairName(r)}</td>
                    <td>{questionText(r.question)}</td>
                    <td>{formatNumber(r.average, { minimumFractionDigits: 1, maximumFractionDigits: 1 })}</td>
                    <td>{r.answers}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
