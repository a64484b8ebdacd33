// DOM + d3 building blocks of the lesson panels: the lessons API client, matrix grids,
// editable matrices, line charts (on the site's chart module), small controls.
import * as d3 from "d3";
import { postJSON } from "../api/http";
import type { paths } from "../api/schema";
import { lineChart as chartLine } from "../charts";
import { h } from "../ui/dom";
import { extent, fmt, parseNumber, type Matrix } from "./lesson_math";

// The front end's one DOM helper, re-exported for the panels that import it from here.
export { h };

type JsonOk<Op> = Op extends {
  post: { responses: { 200: { content: { "application/json": infer R } } } };
}
  ? R
  : never;

/** Every lesson computation by name (POST /api/lessons/<name>/), with what it answers:
 * generated from its result serializer (nnweb/lessons/views/results.py). */
type LessonResults = {
  [P in keyof paths as P extends `/api/lessons/${infer N}/` ? N : never]: JsonOk<paths[P]>;
};
export type LessonName = keyof LessonResults;
export type LessonResult<N extends LessonName> = LessonResults[N];

/** Run lesson computation `name` on the server; its answer has the schema's type. */
export function lessonApi<N extends LessonName>(name: N, body: unknown): Promise<LessonResult<N>> {
  return postJSON<LessonResult<N>>(`/api/lessons/${name}/`, body);
}

/** `lessonApi` for a panel that reads the answer through its own narrower type (fixed
 * ranks, tuples) than the schema can state (an array whose rank follows the input, a box as
 * a list): unchecked, as any JSON is. */
export function lessonApiAs<T>(name: LessonName, body: unknown): Promise<T> {
  return postJSON<T>(`/api/lessons/${name}/`, body);
}

export function debounce<A extends unknown[]>(
  fn: (...args: A) => void,
  ms = 200,
): (...args: A) => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    if (t) clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/** A status line under a panel: errors from the API in it, in role=status. */
export function statusLine(host: HTMLElement): { ok(msg?: string): void; error(e: unknown): void } {
  const p = h("p", { class: "panel-status", role: "status", "aria-live": "polite" });
  host.append(p);
  return {
    ok(msg = "") {
      p.textContent = msg;
      p.classList.remove("error");
    },
    error(e: unknown) {
      p.textContent = e instanceof Error ? e.message : String(e);
      p.classList.add("error");
    },
  };
}

export interface GridOptions {
  cell?: number;
  values?: boolean;
  digits?: number;
  color?: ((v: number, r: number, c: number) => string) | "auto" | "none";
  highlight?: (r: number, c: number) => string | null;
  text?: (v: number, r: number, c: number) => string;
  title?: string;
  testid?: string;
}

/** Draw a matrix as an SVG grid of cells (d3). Replaces the host's content. */
export function drawGrid(host: HTMLElement, m: Matrix, opts: GridOptions = {}): SVGSVGElement {
  const rows = m.length;
  const cols = rows ? m[0].length : 0;
  const cell = opts.cell ?? 34;
  const showValues = opts.values ?? cell >= 18;
  const [lo, hi] = rows ? extent(m) : [0, 1];
  const scale = d3
    .scaleSequential(d3.interpolateGreys)
    .domain([Math.min(lo, 0), Math.max(hi, lo + 1e-9)]);
  const diverging = d3
    .scaleDiverging(d3.interpolateRdBu)
    .domain([
      Math.max(Math.abs(lo), Math.abs(hi)) || 1,
      0,
      -(Math.max(Math.abs(lo), Math.abs(hi)) || 1),
    ]);
  const colorOf =
    opts.color === "none"
      ? () => "#fff"
      : typeof opts.color === "function"
        ? opts.color
        : (v: number) => (lo < 0 ? diverging(v) : scale(v));
  host.replaceChildren();
  const svg = d3
    .select(host)
    .append("svg")
    .attr("class", "grid")
    .attr("viewBox", `0 0 ${cols * cell + 2} ${rows * cell + 2}`)
    .attr("width", cols * cell + 2)
    .attr("height", rows * cell + 2)
    .attr("role", "img")
    .attr("aria-label", opts.title ?? `${rows} by ${cols} grid`);
  if (opts.testid) svg.attr("data-testid", opts.testid);
  if (!showValues && !opts.highlight) {
    drawPicture(svg, m, cell, colorOf);
    return svg.node()!;
  }
  const data = m.flatMap((row, r) => row.map((v, c) => ({ v, r, c })));
  const g = svg
    .selectAll("g.cell")
    .data(data)
    .join("g")
    .attr("class", "cell")
    .attr("data-r", (d) => d.r)
    .attr("data-c", (d) => d.c)
    .attr("transform", (d) => `translate(${d.c * cell + 1},${d.r * cell + 1})`);
  g.append("rect")
    .attr("width", cell)
    .attr("height", cell)
    .attr("fill", (d) => colorOf(d.v, d.r, d.c))
    .attr("stroke", showValues || cell >= 12 ? "#888" : "none")
    .attr("stroke-width", 0.5);
  if (opts.highlight) {
    g.filter((d) => opts.highlight!(d.r, d.c) !== null)
      .append("rect")
      .attr("class", "hl")
      .attr("width", cell - 2)
      .attr("height", cell - 2)
      .attr("x", 1)
      .attr("y", 1)
      .attr("fill", "none")
      .attr("stroke", (d) => opts.highlight!(d.r, d.c) ?? "none")
      .attr("stroke-width", 2.5);
  }
  if (showValues) {
    g.append("text")
      .attr("x", cell / 2)
      .attr("y", cell / 2)
      .attr("dy", "0.35em")
      .attr("text-anchor", "middle")
      // never under 11 px: a grid is drawn at its own size (width = cols × cell), not scaled
      .attr("font-size", Math.max(11, Math.min(14, cell / 2.8)))
      .attr("fill", (d) => {
        const c = d3.color(colorOf(d.v, d.r, d.c));
        return c && d3.hsl(c).l < 0.5 ? "#fff" : "#111";
      })
      .text((d) => (opts.text ? opts.text(d.v, d.r, d.c) : fmt(d.v, opts.digits ?? 2)));
  }
  return svg.node()!;
}

/** A grid with no numbers and no highlight is a picture (an image, a feature map, a mask):
 * one pixel per cell on a canvas, shown as one SVG <image> scaled up without smoothing, with
 * the cell lines as one path when the cells are large enough to show them. Drawn cell by cell
 * it would be two elements per cell, 2,048 for a 32 × 32 image, for the browser to lay out and
 * for assistive technology and axe to walk past, behind the grid's one text alternative. */
function drawPicture(
  svg: d3.Selection<SVGSVGElement, unknown, null, undefined>,
  m: Matrix,
  cell: number,
  colorOf: (v: number, r: number, c: number) => string,
): void {
  const rows = m.length;
  const cols = rows ? m[0].length : 0;
  svg.attr("data-rows", rows).attr("data-cols", cols);
  if (!rows || !cols) return;
  const canvas = document.createElement("canvas");
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext("2d");
  if (!ctx) return; // no 2-D canvas (a test DOM): the text alternative still names the grid
  const image = ctx.createImageData(cols, rows);
  m.forEach((row, r) =>
    row.forEach((v, c) => {
      const rgb = d3.rgb(colorOf(v, r, c));
      const i = 4 * (r * cols + c);
      image.data[i] = rgb.r;
      image.data[i + 1] = rgb.g;
      image.data[i + 2] = rgb.b;
      image.data[i + 3] = 255;
    }),
  );
  ctx.putImageData(image, 0, 0);
  svg
    .append("image")
    .attr("class", "cells")
    .attr("x", 1)
    .attr("y", 1)
    .attr("width", cols * cell)
    .attr("height", rows * cell)
    .attr("preserveAspectRatio", "none")
    .attr("href", canvas.toDataURL());
  if (cell < 12) return; // the same rule as a cell's stroke below
  const lines = [
    ...d3.range(rows + 1).map((r) => `M1,${r * cell + 1}h${cols * cell}`),
    ...d3.range(cols + 1).map((c) => `M${c * cell + 1},1v${rows * cell}`),
  ];
  svg
    .append("path")
    .attr("d", lines.join(""))
    .attr("stroke", "#888")
    .attr("stroke-width", 0.5)
    .attr("fill", "none");
}

/** An editable matrix: a table of number inputs. `onChange` gets the parsed matrix. */
export function matrixInput(
  host: HTMLElement,
  m: Matrix,
  label: string,
  onChange: (m: Matrix) => void,
): { set(m: Matrix): void; get(): Matrix } {
  let current = m.map((r) => r.slice());
  const table = h("table", { class: "matrix-input", "aria-label": label });
  const render = () => {
    table.replaceChildren();
    current.forEach((row, r) => {
      const tr = h("tr");
      row.forEach((v, c) => {
        const inp = h("input", {
          type: "text",
          inputmode: "decimal",
          value: fmt(v, 4),
          "aria-label": `${label} row ${r + 1} column ${c + 1}`,
          size: 3,
        });
        inp.addEventListener("change", () => {
          const n = parseNumber(inp.value);
          if (n === null) {
            inp.setAttribute("aria-invalid", "true");
            return;
          }
          inp.removeAttribute("aria-invalid");
          current[r][c] = n;
          onChange(current.map((x) => x.slice()));
        });
        tr.append(h("td", {}, inp));
      });
      table.append(tr);
    });
  };
  render();
  host.append(table);
  return {
    set(v: Matrix) {
      current = v.map((r) => r.slice());
      render();
    },
    get: () => current.map((r) => r.slice()),
  };
}

export interface Series {
  name: string;
  x: number[];
  y: number[];
}

/** The site's line chart (charts/line.ts) for a lesson panel: series as x and y arrays, drawn
 * at `width` px or the panel's width if that is less, so it never scales its text below the
 * chart module's minimum (a viewBox would shrink 11 px labels to 7 px on a phone). Each
 * series has its own colour and dash pattern; the <desc> summarises every series, and a chart
 * with few points also gets its numbers as a table. */
export function lineChart(
  host: HTMLElement,
  series: Series[],
  opts: {
    width?: number;
    height?: number;
    xLabel?: string;
    yLabel?: string;
    yDomain?: [number, number];
    title?: string;
  } = {},
): SVGSVGElement {
  host.replaceChildren();
  const room = host.clientWidth || host.closest<HTMLElement>(".panel-body")?.clientWidth || 0;
  const width = room > 0 ? Math.min(opts.width ?? 420, room) : (opts.width ?? 420);
  const points = series.map((s) =>
    s.x.map((xv, k) => [xv, s.y[k]] as [number, number]).filter(([, yv]) => Number.isFinite(yv)),
  );
  return chartLine(host, {
    title: opts.title ?? series.map((s) => s.name).join(", "),
    xLabel: opts.xLabel ?? "x",
    yLabel: opts.yLabel ?? "",
    yDomain: opts.yDomain,
    width,
    height: opts.height ?? 240,
    series: series.map((s, i) => ({ key: `series-${i}`, label: s.name, points: points[i] })),
    table: Math.max(0, ...points.map((p) => p.length)) <= 30,
  });
}

/** A labelled <select>. */
export function select(
  label: string,
  options: [string, string][],
  value: string,
  onChange: (v: string) => void,
): HTMLLabelElement {
  const s = h("select", { "aria-label": label });
  for (const [v, text] of options) s.append(h("option", { value: v, text, selected: v === value }));
  s.value = value;
  s.addEventListener("change", () => onChange(s.value));
  return h("label", { class: "control" }, `${label} `, s);
}

/** A labelled range slider showing its value. */
export function slider(
  label: string,
  min: number,
  max: number,
  step: number,
  value: number,
  onInput: (v: number) => void,
): HTMLLabelElement {
  const inp = h("input", { type: "range", min, max, step, value });
  const out = h("output", { text: fmt(value, 3) });
  inp.addEventListener("input", () => {
    out.textContent = fmt(Number(inp.value), 3);
    onInput(Number(inp.value));
  });
  return h("label", { class: "control" }, `${label} `, inp, " ", out);
}

/** Width (CSS px) to draw a diagram at: `max`, or its host's width when that is less (never
 * under 280). A diagram drawn at this width is not scaled by its viewBox, so its 11 px text
 * stays 11 px on a phone: the geometry narrows instead of the letters shrinking. */
export function fitWidth(host: HTMLElement, max: number): number {
  const room = host.clientWidth || host.closest<HTMLElement>(".panel-body")?.clientWidth || max;
  return Math.round(Math.max(280, Math.min(max, room)));
}

/** Make one shape of an SVG (a grid cell, a unit) a button: focusable, named by `where` and
 * the text it shows (a name must contain the visible text), and its SVG a group of controls
 * rather than one image (an image may not contain controls). Call after its text is drawn. */
export function pressable(el: SVGElement, where: string): void {
  const shown = el.textContent?.trim();
  el.setAttribute("tabindex", "0");
  el.setAttribute("role", "button");
  el.setAttribute("aria-label", shown ? `${where}: ${shown}` : where);
  (el instanceof SVGSVGElement ? el : el.ownerSVGElement)?.setAttribute("role", "group");
}

export function button(
  text: string,
  onClick: () => void,
  attrs: Record<string, string> = {},
): HTMLButtonElement {
  const b = h("button", { type: "button", ...attrs, text });
  b.addEventListener("click", onClick);
  return b;
}

/** Render a grid from a flat grey image in [0,1] (no values, small cells). */
export function drawImage(host: HTMLElement, m: Matrix, cell = 6, title = "image"): SVGSVGElement {
  const [lo, hi] = extent(m);
  const sc = d3
    .scaleLinear()
    .domain([lo, hi === lo ? lo + 1 : hi])
    .range([1, 0]);
  return drawGrid(host, m, {
    cell,
    values: false,
    color: (v) => d3.interpolateGreys(1 - sc(v)),
    title,
  });
}
