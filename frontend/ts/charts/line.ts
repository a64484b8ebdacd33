// Line charts (d3): one or more series against a shared x axis, an optional right axis,
// axis labels, a legend in HTML (so its text reflows and scales with the page), and a text
// alternative: the <svg> is role="img" with a <title> and a <desc> summarising each series.
//
//   lineChart(root, {
//     title: "Learning curves", xLabel: "epoch", yLabel: "loss",
//     series: [{ key: "train-loss", label: "training loss", points: [[1, 0.7], …] },
//              { key: "val-acc", label: "validation accuracy", points, axis: "right" }],
//     y2Label: "accuracy", y2Domain: [0, 1], xDomain: [1, totalEpochs], table: false,
//   });
//
// Calling it again on the same root redraws in place. The SVG is drawn at the root's width
// in CSS px (never scaled by a viewBox), so its text is MIN_FONT_PX or more as rendered.
import * as d3 from "d3";
import { SERIES_COLORS, SERIES_DASHES } from "./colors";
import { MIN_FONT_PX, dataTable, summarizeSeries } from "./text";

export interface Series {
  key: string; // CSS class of the line (stable: tests and styles select it)
  label: string;
  points: [number, number][];
  axis?: "left" | "right";
}

export interface LineSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xDomain?: [number, number];
  yDomain?: [number, number];
  y2Label?: string;
  y2Domain?: [number, number];
  height?: number;
  width?: number; // CSS px; default the root's width (use it when the root has none yet)
  table?: boolean; // also add a <details> data table (default true)
}

let uid = 0;

export function lineChart(root: HTMLElement, spec: LineSpec): SVGSVGElement {
  const width = Math.max(280, Math.round(spec.width ?? (root.clientWidth || 640)));
  const height = spec.height ?? 260;
  const right = spec.series.some((s) => s.axis === "right");
  const m = { t: 12, r: right ? 56 : 16, b: 44, l: 64 };
  const font = MIN_FONT_PX;

  const sel = d3.select(root);
  sel.selectAll(":scope > .chart-figure").remove();
  const figure = sel.append("figure").attr("class", "chart-figure");
  const id = `chart-${++uid}`;
  const svg = figure
    .append("svg")
    .attr("class", "line-chart")
    .attr("width", width)
    .attr("height", height)
    .attr("role", "img")
    .attr("aria-labelledby", `${id}-title`)
    .attr("aria-describedby", `${id}-desc`);
  svg.append("title").attr("id", `${id}-title`).text(spec.title);
  svg
    .append("desc")
    .attr("id", `${id}-desc`)
    .text(spec.series.map((s) => summarizeSeries(s, spec.xLabel)).join(" "));

  const all = spec.series.flatMap((s) => s.points).filter(([x, y]) => isFinite(x) && isFinite(y));
  const left = spec.series.filter((s) => s.axis !== "right").flatMap((s) => s.points);
  const xExt = spec.xDomain ?? (d3.extent(all, (p) => p[0]) as [number, number]);
  const yExt =
    spec.yDomain ??
    (d3.extent(
      left.filter((p) => isFinite(p[1])),
      (p) => p[1],
    ) as [number, number]);
  const x = d3
    .scaleLinear()
    .domain(xExt[0] === undefined ? [0, 1] : xExt)
    .range([m.l, width - m.r]);
  const y = d3
    .scaleLinear()
    .domain(yExt[0] === undefined ? [0, 1] : [Math.min(0, yExt[0]), yExt[1] || 1])
    .nice()
    .range([height - m.b, m.t]);
  const y2 = d3
    .scaleLinear()
    .domain(spec.y2Domain ?? [0, 1])
    .range([height - m.b, m.t]);

  const axis = (g: d3.Selection<SVGGElement, unknown, null, undefined>) =>
    g.attr("font-size", font).call((a) => a.selectAll("text").attr("fill", "currentColor"));
  svg
    .append("g")
    .attr("class", "x-axis")
    .attr("transform", `translate(0,${height - m.b})`)
    .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 90))))
    .call(axis);
  svg
    .append("g")
    .attr("class", "y-axis")
    .attr("transform", `translate(${m.l},0)`)
    .call(d3.axisLeft(y).ticks(5))
    .call(axis);
  const label = (text: string, tx: number, ty: number, rotate = 0) =>
    svg
      .append("text")
      .attr("class", "axis-label")
      .attr("font-size", font)
      .attr("fill", "currentColor")
      .attr("text-anchor", "middle")
      .attr("transform", `translate(${tx},${ty}) rotate(${rotate})`)
      .text(text);
  label(spec.xLabel, (m.l + width - m.r) / 2, height - 8);
  label(spec.yLabel, 16, (m.t + height - m.b) / 2, -90);
  if (right) {
    svg
      .append("g")
      .attr("class", "y2-axis")
      .attr("transform", `translate(${width - m.r},0)`)
      .call(d3.axisRight(y2).ticks(5))
      .call(axis);
    label(spec.y2Label ?? "", width - 12, (m.t + height - m.b) / 2, 90);
  }

  const legend = figure.append("figcaption").attr("class", "chart-legend");
  spec.series.forEach((s, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length];
    const dash = SERIES_DASHES[i % SERIES_DASHES.length];
    const scaleY = s.axis === "right" ? y2 : y;
    const pts = s.points.filter(([px, py]) => isFinite(px) && isFinite(py));
    const line = d3
      .line<[number, number]>()
      .x((p) => x(p[0]))
      .y((p) => scaleY(p[1]));
    svg
      .append("path")
      .attr("class", s.key)
      .attr("fill", "none")
      .attr("stroke", color)
      .attr("stroke-width", 2.5)
      .attr("stroke-dasharray", dash)
      .attr("d", pts.length ? line(pts) : null);
    const item = legend.append("span").attr("class", "chart-legend-item");
    item
      .append("svg")
      .attr("width", 28)
      .attr("height", 10)
      .attr("aria-hidden", "true")
      .append("line")
      .attr("x1", 0)
      .attr("x2", 28)
      .attr("y1", 5)
      .attr("y2", 5)
      .attr("stroke", color)
      .attr("stroke-width", 2.5)
      .attr("stroke-dasharray", dash);
    item.append("span").text(s.axis === "right" ? `${s.label} (right axis)` : s.label);
  });

  if (spec.table !== false) {
    const xs = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p[0])))].sort(
      (a, b) => a - b,
    );
    const rows = xs.map((xv) => [
      xv,
      ...spec.series.map((s) => s.points.find((p) => p[0] === xv)?.[1] ?? NaN),
    ]);
    const details = figure.append("details").attr("class", "chart-data");
    details.append("summary").text("Numbers");
    details
      .node()!
      .append(
        dataTable(document, spec.title, [spec.xLabel, ...spec.series.map((s) => s.label)], rows),
      );
  }
  return svg.node()!;
}
