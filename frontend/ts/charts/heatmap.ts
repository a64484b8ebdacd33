// Heatmaps and number grids (d3): a matrix as coloured cells, optionally with each value
// written in its cell (in black or white, whichever contrasts more with the cell). Colour map:
// diverging for signed values, viridis/cividis for magnitudes (colors.ts), with a legend of
// the map's range. Text alternative: role="img" with a <title> and a <desc> (size, range),
// and optionally the numbers as a table.
//
//   heatmap(root, [[…], …], { title: "W of layer 1", rowLabel: "unit", colLabel: "input",
//                             values: true, map: "auto", cell: 28, table: true });
import * as d3 from "d3";
import { type MapName, colorScale, pickMap, textOn } from "./colors";
import { MIN_FONT_PX, dataTable, fmt, summarizeMatrix } from "./text";

export interface HeatmapSpec {
  title: string;
  rowLabel?: string;
  colLabel?: string;
  rowNames?: string[];
  colNames?: string[];
  map?: MapName | "auto";
  values?: boolean; // write each value in its cell (a number grid)
  cell?: number; // cell size in CSS px (at least 2 × MIN_FONT_PX when values are written)
  table?: boolean;
}

let uid = 0;

export function heatmap(root: HTMLElement, matrix: number[][], spec: HeatmapSpec): SVGSVGElement {
  const rows = matrix.length;
  const cols = Math.max(0, ...matrix.map((r) => r.length));
  const flat = matrix.flat();
  const map = !spec.map || spec.map === "auto" ? pickMap(flat) : spec.map;
  const color = colorScale(flat, map);
  const cell = Math.max(spec.values ? 2 * MIN_FONT_PX + 4 : 6, spec.cell ?? 24);
  const m = { t: spec.colNames ? 24 : 6, l: spec.rowNames ? 72 : 6 };
  const width = m.l + cols * cell;
  const height = m.t + rows * cell;

  const sel = d3.select(root);
  sel.selectAll(":scope > .chart-figure").remove();
  const figure = sel.append("figure").attr("class", "chart-figure");
  const id = `heatmap-${++uid}`;
  const svg = figure
    .append("svg")
    .attr("class", `heatmap map-${map}`)
    .attr("width", width)
    .attr("height", height)
    .attr("role", "img")
    .attr("aria-labelledby", `${id}-title`)
    .attr("aria-describedby", `${id}-desc`);
  svg.append("title").attr("id", `${id}-title`).text(spec.title);
  svg
    .append("desc")
    .attr("id", `${id}-desc`)
    .text(
      summarizeMatrix(spec.title, matrix) +
        (spec.rowLabel ? ` Rows: ${spec.rowLabel}.` : "") +
        (spec.colLabel ? ` Columns: ${spec.colLabel}.` : ""),
    );

  matrix.forEach((row, i) =>
    row.forEach((v, j) => {
      const fill = Number.isFinite(v) ? color(v) : "transparent";
      svg
        .append("rect")
        .attr("x", m.l + j * cell)
        .attr("y", m.t + i * cell)
        .attr("width", cell - 1)
        .attr("height", cell - 1)
        .attr("fill", fill);
      if (spec.values) {
        svg
          .append("text")
          .attr("x", m.l + j * cell + cell / 2)
          .attr("y", m.t + i * cell + cell / 2)
          .attr("dy", "0.35em")
          .attr("text-anchor", "middle")
          .attr("font-size", MIN_FONT_PX)
          .attr("fill", Number.isFinite(v) ? textOn(fill) : "currentColor")
          .text(fmt(v));
      }
    }),
  );
  spec.colNames?.forEach((name, j) =>
    svg
      .append("text")
      .attr("x", m.l + j * cell + cell / 2)
      .attr("y", m.t - 8)
      .attr("text-anchor", "middle")
      .attr("font-size", MIN_FONT_PX)
      .attr("fill", "currentColor")
      .text(name),
  );
  spec.rowNames?.forEach((name, i) =>
    svg
      .append("text")
      .attr("x", m.l - 6)
      .attr("y", m.t + i * cell + cell / 2)
      .attr("dy", "0.35em")
      .attr("text-anchor", "end")
      .attr("font-size", MIN_FONT_PX)
      .attr("fill", "currentColor")
      .text(name),
  );

  const finite = flat.filter(Number.isFinite);
  if (finite.length) {
    const lo = map === "diverging" ? -Math.max(...finite.map(Math.abs)) : Math.min(...finite);
    const hi = map === "diverging" ? -lo : Math.max(...finite);
    const cap = figure.append("figcaption").attr("class", "chart-legend");
    cap.append("span").text(`${fmt(lo)}`);
    cap
      .append("span")
      .attr("class", "colorbar")
      .attr("aria-hidden", "true")
      .style(
        "background",
        `linear-gradient(to right, ${d3
          .range(0, 1.01, 0.1)
          .map((t) => color(lo + t * (hi - lo)))
          .join(", ")})`,
      );
    cap.append("span").text(`${fmt(hi)}`);
  }
  if (spec.table) {
    const details = figure.append("details").attr("class", "chart-data");
    details.append("summary").text("Numbers");
    const head = ["", ...(spec.colNames ?? d3.range(cols).map(String))];
    const body = matrix.map((r, i) => [spec.rowNames?.[i] ?? String(i), ...r]);
    details.node()!.append(dataTable(document, spec.title, head, body));
  }
  return svg.node()!;
}
