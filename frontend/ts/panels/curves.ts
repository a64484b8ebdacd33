// Learning curves of a training run: training and validation loss (left axis) and
// validation accuracy (right axis, 0..1) against the epoch. d3, redrawn on every update.
import * as d3 from "d3";

export interface HistoryPoint {
  epoch: number;
  step: number;
  train_loss: number;
  val_loss: number;
  val_accuracy?: number;
  t?: number;
}

const W = 640;
const H = 260;
const M = { t: 12, r: 48, b: 34, l: 52 };

export function drawCurves(root: HTMLElement, history: HistoryPoint[], totalEpochs: number): void {
  let svg = d3.select(root).select<SVGSVGElement>("svg.curves");
  if (svg.empty()) {
    svg = d3
      .select(root)
      .append("svg")
      .attr("class", "curves")
      .attr("viewBox", `0 0 ${W} ${H}`)
      .attr("role", "img");
    svg
      .append("g")
      .attr("class", "x-axis")
      .attr("transform", `translate(0,${H - M.b})`);
    svg.append("g").attr("class", "y-axis").attr("transform", `translate(${M.l},0)`);
    svg
      .append("g")
      .attr("class", "acc-axis")
      .attr("transform", `translate(${W - M.r},0)`);
    svg
      .append("text")
      .attr("x", (W + M.l - M.r) / 2)
      .attr("y", H - 4)
      .attr("text-anchor", "middle")
      .text("epoch");
    svg
      .append("path")
      .attr("class", "train-loss")
      .attr("fill", "none")
      .attr("stroke", "#1b6ca8")
      .attr("stroke-width", 2);
    svg
      .append("path")
      .attr("class", "val-loss")
      .attr("fill", "none")
      .attr("stroke", "#d95f02")
      .attr("stroke-width", 2);
    svg
      .append("path")
      .attr("class", "val-acc")
      .attr("fill", "none")
      .attr("stroke", "#1a9850")
      .attr("stroke-width", 2)
      .attr("stroke-dasharray", "5 3");
    const legend = svg
      .append("g")
      .attr("class", "legend")
      .attr("transform", `translate(${M.l + 10},${M.t + 6})`);
    [
      ["training loss", "#1b6ca8", ""],
      ["validation loss", "#d95f02", ""],
      ["validation accuracy", "#1a9850", "5 3"],
    ].forEach(([label, color, dash], i) => {
      const g = legend.append("g").attr("transform", `translate(${i * 150},0)`);
      g.append("line")
        .attr("x2", 18)
        .attr("stroke", color)
        .attr("stroke-width", 2)
        .attr("stroke-dasharray", dash);
      g.append("text").attr("x", 22).attr("dy", "0.35em").attr("font-size", 11).text(label);
    });
  }
  const pts = history.filter((p) => Number.isFinite(p.train_loss) || Number.isFinite(p.val_loss));
  const x = d3
    .scaleLinear()
    .domain([0, Math.max(totalEpochs, d3.max(pts, (p) => p.epoch) ?? 1, 1)])
    .range([M.l, W - M.r]);
  const ymax = d3.max(pts, (p) => Math.max(finite(p.train_loss), finite(p.val_loss))) || 1;
  const y = d3
    .scaleLinear()
    .domain([0, ymax])
    .nice()
    .range([H - M.b, M.t + 14]);
  const acc = d3
    .scaleLinear()
    .domain([0, 1])
    .range([H - M.b, M.t + 14]);
  svg.select<SVGGElement>("g.x-axis").call(d3.axisBottom(x).ticks(8));
  svg.select<SVGGElement>("g.y-axis").call(d3.axisLeft(y).ticks(5));
  const hasAcc = pts.some((p) => p.val_accuracy !== undefined && p.val_accuracy !== null);
  const accAxis = svg.select<SVGGElement>("g.acc-axis");
  accAxis.attr("display", hasAcc ? "inline" : "none").call(d3.axisRight(acc).ticks(5));
  const line = (
    f: (p: HistoryPoint) => number | undefined,
    scale: d3.ScaleLinear<number, number>,
  ) =>
    d3
      .line<HistoryPoint>()
      .defined((p) => Number.isFinite(f(p) ?? NaN))
      .x((p) => x(p.epoch))
      .y((p) => scale(f(p) as number));
  svg.select("path.train-loss").attr("d", line((p) => p.train_loss, y)(pts) ?? "");
  svg.select("path.val-loss").attr("d", line((p) => p.val_loss, y)(pts) ?? "");
  svg.select("path.val-acc").attr("d", hasAcc ? (line((p) => p.val_accuracy, acc)(pts) ?? "") : "");
}

function finite(v: number | undefined | null): number {
  return v !== undefined && v !== null && Number.isFinite(v) ? v : 0;
}
