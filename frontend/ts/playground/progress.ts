// The metrics line and the hint shown when training stalls.

export interface MetricsRow {
  iteration: number;
  train_loss: number;
  test_loss: number | null;
  train_acc: number | null;
  test_acc: number | null;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const loss = (x: number | null) => (x === null || !Number.isFinite(x) ? "–" : x.toFixed(4));

export function metricsText(m: MetricsRow | null, iteration: number): string {
  if (!m) return `iteration ${iteration}`;
  const acc =
    m.test_acc !== null && Number.isFinite(m.test_acc) ? ` · test acc. ${pct(m.test_acc)}` : "";
  return `it. ${iteration} · train loss ${loss(m.train_loss)} · test ${loss(m.test_loss)}${acc}`;
}

/** History rows [iteration, train loss, test loss, train acc, test acc] as rows. */
export function row(hRow: number[]): MetricsRow {
  const v = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : x);
  return {
    iteration: hRow[0],
    train_loss: hRow[1],
    test_loss: v(hRow[2]),
    train_acc: v(hRow[3]),
    test_acc: v(hRow[4]),
  };
}

/**
 * A hint when training has stalled: over the last `window` iterations the test loss fell by
 * less than 2% and (for classification) the test accuracy is below 90%. Null otherwise.
 */
export function stallHint(history: number[][], window = 300): string | null {
  if (history.length < 5) return null;
  const last = history[history.length - 1];
  if (last[0] < window) return null;
  const past = [...history].reverse().find((r) => r[0] <= last[0] - window);
  if (!past) return null;
  const now = Number.isFinite(last[2]) ? last[2] : last[1];
  const then = Number.isFinite(past[2]) ? past[2] : past[1];
  const acc = last[4];
  if (Number.isFinite(acc) && acc >= 0.9) return null;
  if (!(then > 0) || now < then * 0.98) return null;
  return (
    `Training has stalled (test loss ${now.toFixed(3)}` +
    (Number.isFinite(acc) ? `, test accuracy ${pct(acc)}` : "") +
    "): raise η or the speed, add neurons, or add input features such as x₁², x₂², sin x₁."
  );
}
