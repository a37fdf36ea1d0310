/**
 * Ruptures and repairs per week as a bar chart. chart.js is imported here on demand, so it is
 * only ever downloaded on the screens that draw a chart (a therapist's, or a member's preview of
 * what their therapist sees), never on the family's first load. The same numbers are always in
 * a table beside it; the canvas itself is hidden from screen readers.
 */

import type { JSX } from "preact";
import { ChartCanvas } from "./ChartCanvas";
import type { PeriodFigures } from "../../lib/types";
import { formatDate } from "../../lib/careFormat";
import { t } from "../../lib/careWords";

type Week = PeriodFigures["weeks"][number];

async function draw(canvas: HTMLCanvasElement, weeks: readonly Week[]): Promise<{ destroy: () => void }> {
  const { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale } = await import("chart.js");
  Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend);
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: weeks.map((w) => formatDate(w.week_start)),
      datasets: [
        { label: t("care:chart.ruptures"), data: weeks.map((w) => w.ruptures), backgroundColor: "#9c3b2a" },
        { label: t("care:chart.repairs"), data: weeks.map((w) => w.repairs), backgroundColor: "#2f6b5e" },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom" } },
    },
  });
}

export function WeeklyChart(props: { weeks: readonly Week[] }): JSX.Element {
  return <ChartCanvas draw={(canvas) => draw(canvas, props.weeks)} data={props.weeks} failed={t("care:chart.failed")} testid="weekly-chart" />;
}
