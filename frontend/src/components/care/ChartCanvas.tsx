/**
 * A chart.js canvas drawn on demand (chart.js is imported by each `draw`, so it is downloaded only
 * on the screens that draw a chart), redrawn when its data changes and destroyed when it goes. The
 * canvas is hidden from screen readers: every chart has its numbers in a table beside it.
 */

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export type DrawChart = (canvas: HTMLCanvasElement) => Promise<{ destroy: () => void }>;

export function ChartCanvas(props: { draw: DrawChart; data: unknown; failed: string; testid: string }): JSX.Element {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let chart: { destroy: () => void } | null = null;
    let live = true;
    if (canvas.current) {
      props
        .draw(canvas.current)
        .then((c) => {
          if (live) chart = c;
          else c.destroy();
        })
        .catch(() => live && setFailed(true));
    }
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [props.data]);
  if (failed) return <p class="hint">{props.failed}</p>;
  return (
    <div class="chart" data-testid={props.testid}>
      <canvas ref={canvas} aria-hidden="true" />
    </div>
  );
}
