// Mask R-CNN lesson panels: RoI pooling (the notes' rounded stride, and Fast R-CNN's rounded
// bin edges) against RoI Align (fractional bins, sampling points, bilinear weights), drawn over
// the feature map; and the mask head's m x m output per class.
import * as d3 from "d3";
import { fmt, type Matrix } from "./lesson_math";
import {
  drawGrid,
  drawImage,
  fitWidth,
  h,
  lessonApi,
  lessonApiAs,
  pressable,
  select,
  statusLine,
} from "./lesson_ui";

interface PoolBin {
  row: number;
  col: number;
  y: [number, number];
  x: [number, number];
  cells: number;
  empty: boolean;
  value?: number;
  argmax?: [number, number];
}
interface Neighbour {
  y: number;
  x: number;
  weight: number;
}
interface Point {
  y: number;
  x: number;
  inside: boolean;
  neighbours: Neighbour[];
  value?: number;
}
interface AlignBin {
  row: number;
  col: number;
  y: [number, number];
  x: [number, number];
  points: Point[];
  value?: number;
}
interface Quantised {
  stride_exact: [number, number];
  stride: [number, number];
  rows: [number, number][];
  cols: [number, number][];
  dropped_rows: number[];
  dropped_cols: number[];
  outside_rows: number[];
  outside_cols: number[];
  edge_error: [number, number];
  dropped: number;
  outside: number;
}
interface RoiResult {
  method: "roi_pool" | "roi_align";
  size: number;
  output_size: [number, number];
  feature_size: [number, number];
  feature: Matrix;
  bin_size: [number, number];
  bins: (PoolBin | AlignBin)[];
  rows?: [number, number][];
  cols?: [number, number][];
  dropped?: [number, number][];
  shared?: [number, number, number][];
  summary?: { cells: number; dropped: number; shared: number };
  quantised_stride?: Quantised;
  grid?: [number, number];
  roi_feature?: [number, number, number, number];
}

export function mountRoiGrid(host: HTMLElement): void {
  let size = "18";
  let view = "notes";
  let sel: [number, number] = [0, 0];
  let res: RoiResult | null = null;
  const mapBox = h("div");
  const outBox = h("div");
  const summary = h("p", {
    class: "sum-line",
    "data-testid": "roi-summary",
    "aria-live": "polite",
  });
  const detail = h("div", { class: "sum-line", "data-testid": "roi-detail" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "RoI",
        [
          ["17", "17×17 → 7×7"],
          ["18", "18×18 → 7×7"],
          ["14", "14×14 → 7×7"],
          ["10", "10×10 → 7×7"],
        ],
        size,
        (v) => {
          size = v;
          load();
        },
      ),
      select(
        "method",
        [
          ["notes", "RoI pooling, the notes' rounded stride"],
          ["fast", "RoI pooling, Fast R-CNN bins"],
          ["align", "RoI Align (2×2 points per bin)"],
        ],
        view,
        (v) => {
          view = v;
          load();
        },
      ),
    ),
    h(
      "div",
      { class: "panel-row" },
      h("div", {}, h("h4", { text: "Feature map, RoI (blue) and bins" }), mapBox),
      h("div", {}, h("h4", { text: "7×7 output (click a bin)" }), outBox),
    ),
    summary,
    detail,
  );
  const status = statusLine(host);

  function drawMap() {
    if (!res) return;
    const r = res;
    const [H, W] = r.feature_size;
    // cells fit the panel (a phone gets smaller cells, not a shrunken drawing); the feature
    // values are written only where a cell holds 10 px text
    const c = Math.max(12, Math.min(22, Math.floor((fitWidth(mapBox, 480) - 2) / W)));
    mapBox.replaceChildren();
    const svg = d3
      .select(mapBox)
      .append("svg")
      .attr("viewBox", `0 0 ${W * c + 2} ${H * c + 2}`)
      .attr("width", W * c + 2)
      .attr("height", H * c + 2)
      .attr("role", "img")
      .attr("aria-label", "feature map with the RoI and its bins")
      .attr("data-testid", "roi-map");
    const g = svg.append("g").attr("transform", "translate(1,1)");
    const fill = (y: number, x: number): string => {
      const inRoi = y < r.size && x < r.size;
      if (view === "notes" && r.quantised_stride) {
        const q = r.quantised_stride;
        const covered = y < q.rows[q.rows.length - 1][1] && x < q.cols[q.cols.length - 1][1];
        if (inRoi && !covered) return "#f4b4ad"; // dropped
        if (!inRoi && covered) return "#cfcfcf"; // read but outside the RoI
        if (covered) {
          const p = Math.floor(y / q.stride[0]);
          const qq = Math.floor(x / q.stride[1]);
          return (p + qq) % 2 ? "#e3efff" : "#fff7dc";
        }
        return "#fafafa";
      }
      if (view === "fast" && r.rows && r.cols) {
        if (!inRoi) return "#fafafa";
        const nr = r.rows.filter(([a, b]) => y >= a && y < b).length;
        const nc = r.cols.filter(([a, b]) => x >= a && x < b).length;
        const n = nr * nc;
        return n === 0 ? "#f4b4ad" : n >= 2 ? "#f7c873" : "#e3efff";
      }
      return inRoi ? "#f3f6fb" : "#fafafa";
    };
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        g.append("rect")
          .attr("x", x * c)
          .attr("y", y * c)
          .attr("width", c)
          .attr("height", c)
          .attr("fill", fill(y, x))
          .attr("stroke", "#ccc")
          .attr("stroke-width", 0.5);
        if (c >= 22 && view !== "align")
          g.append("text")
            .attr("x", x * c + c / 2)
            .attr("y", y * c + c / 2)
            .attr("dy", "0.35em")
            .attr("text-anchor", "middle")
            .attr("font-size", 10)
            .attr("fill", "#555")
            .text(fmt(r.feature[y][x], 1));
      }
    // the selected bin
    const [p, q] = sel;
    if (view === "notes" && r.quantised_stride) {
      const qs = r.quantised_stride;
      const [y0, y1] = qs.rows[p];
      const [x0, x1] = qs.cols[q];
      g.append("rect")
        .attr("x", x0 * c)
        .attr("y", y0 * c)
        .attr("width", (x1 - x0) * c)
        .attr("height", (y1 - y0) * c)
        .attr("fill", "none")
        .attr("stroke", "#c47f00")
        .attr("stroke-width", 3);
    } else if (view === "fast" && r.rows && r.cols) {
      for (const [a] of r.rows)
        g.append("line")
          .attr("x1", 0)
          .attr("x2", r.size * c)
          .attr("y1", a * c)
          .attr("y2", a * c)
          .attr("stroke", "#555")
          .attr("stroke-dasharray", "2 2");
      const [y0, y1] = r.rows[p];
      const [x0, x1] = r.cols[q];
      g.append("rect")
        .attr("x", x0 * c)
        .attr("y", y0 * c)
        .attr("width", (x1 - x0) * c)
        .attr("height", (y1 - y0) * c)
        .attr("fill", "none")
        .attr("stroke", "#c47f00")
        .attr("stroke-width", 3);
    } else if (view === "align") {
      const off = 0.5; // aligned=True: feature coordinate v is drawn at v + 0.5 (cell i spans [i, i+1))
      for (const b of r.bins as AlignBin[]) {
        g.append("rect")
          .attr("x", (b.x[0] + off) * c)
          .attr("y", (b.y[0] + off) * c)
          .attr("width", (b.x[1] - b.x[0]) * c)
          .attr("height", (b.y[1] - b.y[0]) * c)
          .attr("fill", "none")
          .attr("stroke", "#555")
          .attr("stroke-width", 0.6);
        for (const pt of b.points)
          g.append("circle")
            .attr("cx", (pt.x + off) * c)
            .attr("cy", (pt.y + off) * c)
            .attr("r", 1.8)
            .attr("fill", "#333");
      }
      const b = (r.bins as AlignBin[]).find((x) => x.row === p && x.col === q)!;
      g.append("rect")
        .attr("x", (b.x[0] + off) * c)
        .attr("y", (b.y[0] + off) * c)
        .attr("width", (b.x[1] - b.x[0]) * c)
        .attr("height", (b.y[1] - b.y[0]) * c)
        .attr("fill", "none")
        .attr("stroke", "#c47f00")
        .attr("stroke-width", 2.5);
      for (const pt of b.points)
        for (const n of pt.neighbours) {
          g.append("line")
            .attr("x1", (pt.x + off) * c)
            .attr("y1", (pt.y + off) * c)
            .attr("x2", (n.x + 0.5) * c)
            .attr("y2", (n.y + 0.5) * c)
            .attr("stroke", "#c0392b")
            .attr("stroke-width", 0.5 + 3 * n.weight);
        }
    }
    // the RoI itself
    g.append("rect")
      .attr("x", 0)
      .attr("y", 0)
      .attr("width", r.size * c)
      .attr("height", r.size * c)
      .attr("fill", "none")
      .attr("stroke", "#2457c5")
      .attr("stroke-width", 2.5);
  }

  function drawOut() {
    if (!res) return;
    const r = res;
    const [oh, ow] = r.output_size;
    const vals: Matrix = Array.from({ length: oh }, () => Array(ow).fill(0));
    if (view === "notes" && r.quantised_stride) {
      const qs = r.quantised_stride;
      for (let p = 0; p < oh; p++)
        for (let q = 0; q < ow; q++) {
          let m = -Infinity;
          for (let y = qs.rows[p][0]; y < qs.rows[p][1]; y++)
            for (let x = qs.cols[q][0]; x < qs.cols[q][1]; x++)
              m = Math.max(m, r.feature[y]?.[x] ?? 0);
          vals[p][q] = m;
        }
    } else for (const b of r.bins) vals[b.row][b.col] = b.value ?? 0;
    const svg = drawGrid(outBox, vals, {
      cell: 46,
      digits: 2,
      color: (_v, i, j) => (i === sel[0] && j === sel[1] ? "#fde9a8" : "#f3f6fb"),
      testid: "roi-output",
    });
    svg.querySelectorAll<SVGGElement>("g.cell").forEach((g) => {
      const i = Number(g.dataset.r);
      const j = Number(g.dataset.c);
      pressable(g, `bin row ${i + 1} column ${j + 1}`);
      const pick = () => {
        sel = [i, j];
        drawAll();
      };
      g.addEventListener("click", pick);
      g.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          pick();
        }
      });
    });
  }

  function describe() {
    if (!res) return;
    const r = res;
    const [p, q] = sel;
    if (view === "notes" && r.quantised_stride) {
      const s = r.quantised_stride;
      summary.textContent =
        s.stride[0] * r.output_size[0] < r.size
          ? `stride ${r.size}/7 = ${fmt(s.stride_exact[0], 2)} → rounded to ${s.stride[0]}: the bins cover ${s.stride[0] * 7} of ${r.size} rows; rows and columns ${s.dropped_rows.join(", ")} are never read — ${s.dropped} of ${r.size * r.size} RoI cells lost (red).`
          : s.stride[0] * r.output_size[0] > r.size
            ? `stride ${r.size}/7 = ${fmt(s.stride_exact[0], 2)} → rounded to ${s.stride[0]}: the bins span ${s.stride[0] * 7} cells per side, ${s.stride[0] * 7 - r.size} past the RoI — ${s.outside} cells outside the box are read (grey), and bin edges drift up to ${fmt(s.edge_error[0], 2)} cells from where they belong.`
            : `stride ${r.size}/7 = ${fmt(s.stride_exact[0], 2)} is a whole number: nothing is lost or misaligned.`;
      detail.textContent = `bin (${p}, ${q}) reads rows ${s.rows[p][0]}–${s.rows[p][1] - 1}, columns ${s.cols[q][0]}–${s.cols[q][1] - 1}.`;
    } else if (view === "fast" && r.summary && r.rows && r.cols) {
      summary.textContent = `bin size ${fmt(r.bin_size[0], 3)}; edges rounded outwards (floor/ceil): ${r.summary.dropped} cells dropped, ${r.summary.shared} cells read by two or more bins (orange); bins hold ${d3.extent(r.rows.map(([a, b]) => b - a)).join(" or ")} rows instead of ${fmt(r.bin_size[0], 2)}.`;
      const b = (r.bins as PoolBin[]).find((x) => x.row === p && x.col === q)!;
      detail.textContent = `bin (${p}, ${q}): rows ${b.y[0]}–${b.y[1] - 1}, columns ${b.x[0]}–${b.x[1] - 1}, ${b.cells} cells, max = ${fmt(b.value, 2)}${b.argmax ? ` at (${b.argmax.join(", ")})` : ""}.`;
    } else {
      summary.textContent = `bin size ${fmt(r.bin_size[0], 4)} × ${fmt(r.bin_size[1], 4)} cells, kept fractional; ${r.grid?.join("×")} sampling points per bin, each read by bilinear interpolation of its four neighbouring cells (red lines, thicker = larger weight); the bin's value is their average.`;
      const b = (r.bins as AlignBin[]).find((x) => x.row === p && x.col === q)!;
      detail.replaceChildren(
        h("div", {
          text: `bin (${p}, ${q}): y ∈ [${fmt(b.y[0] + 0.5, 3)}, ${fmt(b.y[1] + 0.5, 3)}), x ∈ [${fmt(b.x[0] + 0.5, 3)}, ${fmt(b.x[1] + 0.5, 3)}) → value ${fmt(b.value, 4)}`,
        }),
        ...b.points.map((pt) =>
          h("div", {
            text: `point (${fmt(pt.y + 0.5, 3)}, ${fmt(pt.x + 0.5, 3)}): ${pt.neighbours.map((n) => `${fmt(n.weight, 3)}·f[${n.y}][${n.x}]`).join(" + ")} = ${fmt(pt.value, 4)}`,
          }),
        ),
      );
    }
  }

  function drawAll() {
    drawMap();
    drawOut();
    describe();
  }

  async function load() {
    try {
      res = await lessonApiAs<RoiResult>("roi", {
        size: Number(size),
        output: 7,
        method: view === "align" ? "roi_align" : "roi_pool",
        sampling_ratio: 2,
      });
      sel = [Math.min(sel[0], 6), Math.min(sel[1], 6)];
      drawAll();
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  load();
}

export function mountMaskHead(host: HTMLElement): void {
  let k = "2";
  const row = h("div", { class: "panel-row" });
  const out = h("p", { class: "sum-line", "data-testid": "mask-result" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "true class of the RoI",
        [
          ["1", "square"],
          ["2", "circle"],
          ["3", "triangle"],
        ],
        k,
        (v) => {
          k = v;
          load();
        },
      ),
    ),
    row,
    out,
  );
  const status = statusLine(host);
  async function load() {
    try {
      const r = await lessonApi("mask_head", { m: 14, true_class: Number(k) });
      row.replaceChildren();
      r.probabilities.forEach((pm, c) => {
        const b = h("div");
        row.append(
          h(
            "figure",
            {},
            b,
            h("figcaption", {
              class: "small",
              text: `${r.classes[c]} map${c + 1 === r.true_class ? " — in the loss" : " — ignored"}`,
            }),
          ),
        );
        drawImage(b, pm, 8, `${r.classes[c]} mask probabilities`);
        if (c + 1 === r.true_class)
          (b.firstChild as SVGElement).style.outline = "3px solid #2457c5";
      });
      const tb = h("div");
      row.append(h("figure", {}, tb, h("figcaption", { class: "small", text: "target mask" })));
      drawImage(tb, r.target, 8);
      out.textContent = `${r.classes.length} maps × ${r.m}² = ${r.outputs} outputs for this RoI; the loss averages binary cross-entropy over the ${r.penalised} pixels of the true class's map only: ${fmt(r.loss, 4)} (penalising all maps would give ${fmt(r.loss_all_maps, 4)} and make the classes compete).`;
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  load();
}
