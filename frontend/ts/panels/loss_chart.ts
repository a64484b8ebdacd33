// The playground's training and test loss against the iteration, drawn by the site's chart
// module (its text sizes, colours and text alternative). Play sends up to 60 frames a
// second; the chart is redrawn at most every REDRAW_MS, and once more after the last frame, so
// the curve always ends at the latest numbers without rebuilding an SVG per frame.
import { lineChart } from "../charts";

const REDRAW_MS = 250;
const pending = new WeakMap<HTMLElement, { last: number; timer?: number; history: number[][] }>();

function draw(root: HTMLElement, history: number[][]): void {
  const points = (k: number) =>
    history
      .filter((h) => h[k] !== null && Number.isFinite(h[k]))
      .map((h) => [h[0], h[k]] as [number, number]);
  lineChart(root, {
    title: "Training and test loss",
    xLabel: "iteration",
    yLabel: "E",
    series: [
      { key: "train-line", label: "training E", points: points(1) },
      { key: "test-line", label: "test E", points: points(2) },
    ],
    height: 150,
    table: false,
  });
}

export function drawLossChart(root: HTMLElement, history: number[][]): void {
  const state = pending.get(root) ?? { last: 0, history };
  state.history = history;
  pending.set(root, state);
  const wait = state.last + REDRAW_MS - performance.now();
  if (wait <= 0) {
    state.last = performance.now();
    draw(root, history);
  } else if (state.timer === undefined) {
    state.timer = window.setTimeout(() => {
      state.timer = undefined;
      state.last = performance.now();
      draw(root, state.history);
    }, wait);
  }
}
