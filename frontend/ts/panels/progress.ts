// Progress of a training run: the <progress> bar, step/epoch counters, ETA and status.

import type { components } from "../api/schema";
import { lineChart, type Series } from "../charts";

export interface RunProgress {
  status: string;
  reason: string;
  step: number;
  total_steps: number;
  epoch: number;
  total_epochs: number;
  train_loss: number | null;
  val_loss: number | null;
  accuracy: number | null;
  eta_seconds: number | null;
  elapsed_seconds: number | null;
}

const STATUS_LABELS: Record<string, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** "about 1 min 5 s left" style text; empty when unknown. */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0)
    return "";
  const s = Math.round(seconds);
  if (s < 60) return `about ${s} s left`;
  const m = Math.floor(s / 60);
  if (m < 60) return `about ${m} min ${s % 60} s left`;
  return `about ${Math.floor(m / 60)} h ${m % 60} min left`;
}

/** ETA from elapsed time and steps (used between server updates). */
export function estimateEta(step: number, total: number, elapsed: number | null): number | null {
  if (!elapsed || step <= 0 || total <= 0 || step >= total)
    return step >= total && total > 0 ? 0 : null;
  return (elapsed * (total - step)) / step;
}

export function formatNumber(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(digits);
}

export function isFinished(status: string): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled";
}

function setText(root: ParentNode, sel: string, text: string): void {
  const el = root.querySelector<HTMLElement>(sel);
  if (el) el.textContent = text;
}

export function showProgress(root: HTMLElement, run: RunProgress): void {
  const bar = root.querySelector<HTMLProgressElement>("#run-progress");
  if (bar) {
    bar.max = Math.max(1, run.total_steps);
    bar.value = Math.min(run.step, bar.max);
    bar.textContent = `${Math.round((100 * bar.value) / bar.max)}%`;
  }
  setText(root, "#run-step", String(run.step));
  setText(root, "#run-total", String(run.total_steps));
  setText(root, "#run-epoch", String(run.epoch));
  const eta = run.status === "running" ? formatEta(run.eta_seconds) : "";
  setText(
    root,
    "#run-eta",
    isFinished(run.status) ? "" : eta || (run.status === "queued" ? "waiting for a worker" : ""),
  );
  setText(root, "#run-train-loss", formatNumber(run.train_loss));
  setText(root, "#run-val-loss", formatNumber(run.val_loss));
  setText(root, "#run-accuracy", formatNumber(run.accuracy, 3));
  const status = root.querySelector<HTMLElement>("#run-status");
  if (status) {
    status.textContent = STATUS_LABELS[run.status] ?? run.status;
    status.dataset.status = run.status;
  }
  const reason = root.querySelector<HTMLElement>("#run-reason");
  if (reason) {
    reason.textContent = run.reason ? `— ${run.reason}` : "";
    reason.hidden = !run.reason;
  }
  if (isFinished(run.status)) {
    root.querySelector("#cancel-form")?.remove();
  }
  const result = root.querySelector<HTMLElement>("#run-result");
  if (result) result.hidden = run.status !== "succeeded";
}

/** One point of a run's loss history: the HistoryPoint component of the API schema (its
 * val_loss is null when a run held nothing out). */
export type CurvePoint = components["schemas"]["HistoryPoint"];

/** The run's learning curves with the chart module: both losses, and the validation
 * accuracy on a right axis (0..1) for classification. The per-epoch numbers are in the page's
 * own table, so the chart adds no second one. */
export function drawRunCurves(root: HTMLElement, history: CurvePoint[], totalEpochs: number): void {
  const series: Series[] = [
    {
      key: "train-loss",
      label: "training loss",
      points: history.map((p) => [p.epoch, p.train_loss]),
    },
    {
      key: "val-loss",
      label: "validation loss",
      points: history.map((p) => [p.epoch, p.val_loss ?? NaN]),
    },
  ];
  if (history.some((p) => p.val_accuracy !== undefined && p.val_accuracy !== null)) {
    series.push({
      key: "val-acc",
      label: "validation accuracy",
      points: history.map((p) => [p.epoch, p.val_accuracy ?? NaN]),
      axis: "right",
    });
  }
  lineChart(root, {
    title: "Learning curves",
    xLabel: "epoch",
    yLabel: "loss",
    y2Label: "accuracy",
    y2Domain: [0, 1],
    xDomain: [history.length ? Math.min(1, history[0].epoch) : 0, Math.max(1, totalEpochs)],
    series,
    table: false,
  });
}
