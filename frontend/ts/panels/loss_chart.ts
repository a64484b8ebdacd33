// Train and test loss against the iteration (d3 line chart).
import * as d3 from "d3";

export function drawLossChart(root: HTMLElement, history: number[][]): void {
  const width = 320;
  const height = 160;
  const m = { t: 8, r: 8, b: 22, l: 40 };
  let svg = d3.select(root).select<SVGSVGElement>("svg");
  if (svg.empty()) {
    svg = d3
      .select(root)
      .append("svg")
      .attr("viewBox", `0 0 ${width} ${height}`)
      .attr("class", "loss-chart");
    svg
      .append("g")
      .attr("class", "x-axis")
      .attr("transform", `translate(0,${height - m.b})`);
    svg.append("g").attr("class", "y-axis").attr("transform", `translate(${m.l},0)`);
    svg.append("path").attr("class", "train-line").attr("fill", "none").attr("stroke", "#1b6ca8");
    svg
      .append("path")
      .attr("class", "test-line")
      .attr("fill", "none")
      .attr("stroke", "#d95f02")
      .attr("stroke-dasharray", "4 2");
  }
  const pts = history.filter((h) => Number.isFinite(h[1]));
  const x = d3
    .scaleLinear()
    .domain([0, d3.max(pts, (h) => h[0]) || 1])
    .range([m.l, width - m.r]);
  const ymax = d3.max(pts, (h) => Math.max(h[1], h[2] ?? 0)) || 1;
  const y = d3
    .scaleLinear()
    .domain([0, ymax])
    .nice()
    .range([height - m.b, m.t]);
  svg.select<SVGGElement>("g.x-axis").call(d3.axisBottom(x).ticks(5));
  svg.select<SVGGElement>("g.y-axis").call(d3.axisLeft(y).ticks(4));
  const line = (k: number) =>
    d3
      .line<number[]>()
      .defined((h) => h[k] !== null && Number.isFinite(h[k]))
      .x((h) => x(h[0]))
      .y((h) => y(h[k]));
  svg.select("path.train-line").attr("d", line(1)(pts) ?? "");
  svg.select("path.test-line").attr("d", line(2)(pts) ?? "");
}
