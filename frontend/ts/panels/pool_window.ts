// Pooling panel: the notes' 4x4 slice, max or average, window and stride controls, the window
// that produced each output cell, and how the gradient flows back (dE/dx for dE/dy = 1).
import { fmt, type Matrix } from "./lesson_math";
import {
  debounce,
  drawGrid,
  h,
  lessonApi,
  lessonApiAs,
  matrixInput,
  pressable,
  select,
  statusLine,
} from "./lesson_ui";

interface PoolResult {
  x: Matrix;
  mode: string;
  size: number;
  stride: number;
  output: Matrix;
  output_shape: number[];
  argmax: [number, number][][] | null;
  grad_input: Matrix;
}

const NOTES_4X4: Matrix = [
  [1, 1, 2, 4],
  [5, 6, 7, 8],
  [3, 2, 1, 0],
  [1, 2, 3, 4],
];

export function mountPoolWindow(host: HTMLElement): void {
  let x = NOTES_4X4.map((r) => r.slice());
  let mode = "max";
  let size = "2";
  let stride = "2";
  let sel: [number, number] = [0, 0];
  let res: PoolResult | null = null;
  const inBox = h("div", { class: "panel-col" }, h("h4", { text: "Input slice (editable)" }));
  matrixInput(inBox, x, "pool input", (m) => {
    x = m;
    load();
  });
  const viewBox = h("div");
  const outBox = h("div");
  const gradBox = h("div");
  const info = h("p", { class: "sum-line", "aria-live": "polite", "data-testid": "pool-info" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "pooling",
        [
          ["max", "max"],
          ["avg", "average"],
        ],
        mode,
        (v) => {
          mode = v;
          load();
        },
      ),
      select(
        "window",
        [
          ["2", "2×2"],
          ["3", "3×3"],
          ["1", "1×1"],
        ],
        size,
        (v) => {
          size = v;
          load();
        },
      ),
      select(
        "stride",
        [
          ["2", "2"],
          ["1", "1"],
          ["3", "3"],
        ],
        stride,
        (v) => {
          stride = v;
          load();
        },
      ),
    ),
    h(
      "div",
      { class: "panel-row" },
      inBox,
      h("div", { class: "panel-col" }, h("h4", { text: "Windows" }), viewBox),
      h("div", { class: "panel-col" }, h("h4", { text: "Pooled output (click a cell)" }), outBox),
      h("div", { class: "panel-col" }, h("h4", { text: "dE/dx when every dE/dy = 1" }), gradBox),
    ),
    info,
  );
  const status = statusLine(host);

  function draw() {
    if (!res) return;
    const r = res;
    const k = r.size;
    const [i, j] = sel;
    const r0 = i * r.stride;
    const c0 = j * r.stride;
    const inWin = (a: number, b: number) => a >= r0 && a < r0 + k && b >= c0 && b < c0 + k;
    const win = r.argmax ? r.argmax[i][j] : null;
    drawGrid(viewBox, r.x, {
      cell: 40,
      color: (_v, a, b) =>
        win && a === win[0] && b === win[1] ? "#f7c873" : inWin(a, b) ? "#fde9a8" : "#fff",
      highlight: (a, b) => (inWin(a, b) ? "#c47f00" : null),
      testid: "pool-input",
    });
    const out = drawGrid(outBox, r.output, {
      cell: 44,
      color: (_v, a, b) => (a === i && b === j ? "#fde9a8" : "#e8f1fb"),
      testid: "pool-output",
    });
    out.querySelectorAll<SVGGElement>("g.cell").forEach((g) => {
      const a = Number(g.dataset.r);
      const b = Number(g.dataset.c);
      pressable(g, `output row ${a + 1} column ${b + 1}`);
      const pick = () => {
        sel = [a, b];
        draw();
      };
      g.addEventListener("click", pick);
      g.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          pick();
        }
      });
    });
    drawGrid(gradBox, r.grad_input, {
      cell: 40,
      color: (v) => (v > 0 ? "#cde8cd" : "#fff"),
      testid: "pool-grad",
    });
    const cells: number[] = [];
    for (let a = r0; a < r0 + k; a++) for (let b = c0; b < c0 + k; b++) cells.push(r.x[a][b]);
    info.textContent =
      r.mode === "max"
        ? `output[${i}][${j}] = max(${cells.map((v) => fmt(v)).join(", ")}) = ${fmt(r.output[i][j])}; its gradient goes only to the winning cell (${win?.[0]}, ${win?.[1]}).`
        : `output[${i}][${j}] = mean(${cells.map((v) => fmt(v)).join(", ")}) = ${fmt(r.output[i][j])}; its gradient is shared equally, 1/${k * k} to each cell.`;
  }

  const load = debounce(async () => {
    try {
      res = await lessonApiAs<PoolResult>("pool", {
        x,
        mode,
        size: Number(size),
        stride: Number(stride),
      });
      if (sel[0] >= res.output.length || sel[1] >= res.output[0].length) sel = [0, 0];
      status.ok(
        `input ${res.x.length}×${res.x[0].length} → output ${res.output_shape.join("×")} (depth would be unchanged: each slice is pooled on its own)`,
      );
      draw();
    } catch (e) {
      status.error(e);
    }
  }, 120);
  load();
}

/** Pooling a 3-slice volume: each slice is pooled on its own, the depth stays 3. */
export function mountPoolDepth(host: HTMLElement): void {
  const slices: Matrix[] = [
    NOTES_4X4,
    NOTES_4X4.map((_r, i) => NOTES_4X4.map((row) => row[i])), // transposed
    NOTES_4X4.slice().reverse(), // upside down
  ];
  const row = h("div", { class: "panel-row" });
  const caption = h("p", { class: "sum-line", "data-testid": "pool-depth" });
  host.append(row, caption);
  const status = statusLine(host);
  lessonApiAs<{ output: Matrix[]; input_shape: number[]; output_shape: number[] }>("pool", {
    x: slices,
    mode: "max",
    size: 2,
  })
    .then((r) => {
      const out = r.output;
      slices.forEach((s, c) => {
        const a = h("div");
        const b = h("div");
        row.append(
          h("figure", {}, a, h("figcaption", { text: `slice ${c + 1}` })),
          h("figure", {}, b, h("figcaption", { text: `→ pooled slice ${c + 1}` })),
        );
        drawGrid(a, s, { cell: 26 });
        drawGrid(b, out[c], { cell: 26, color: () => "#e8f1fb" });
      });
      caption.textContent = `input ${r.input_shape.join("×")} → output ${r.output_shape.join("×")}: height and width halve, the depth stays ${r.output_shape[0]}.`;
      status.ok();
    })
    .catch((e) => status.error(e));
}

/** Small-translation invariance: shift the input one pixel, compare the pooled outputs. */
export function mountPoolShift(host: HTMLElement): void {
  const SHIFTS: Record<string, [number, number]> = {
    right: [0, 1],
    left: [0, -1],
    down: [1, 0],
    up: [-1, 0],
  };
  let dir = "right";
  let mode = "max";
  const grids = h("div", { class: "panel-row" });
  const summary = h("p", {
    class: "sum-line",
    "aria-live": "polite",
    "data-testid": "pool-shift-summary",
  });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "shift the input one pixel",
        Object.keys(SHIFTS).map((k) => [k, k] as [string, string]),
        dir,
        (v) => {
          dir = v;
          load();
        },
      ),
      select(
        "pool the shifted slice with",
        [
          ["max", "max"],
          ["avg", "average"],
        ],
        mode,
        (v) => {
          mode = v;
          load();
        },
      ),
    ),
    grids,
    summary,
  );
  const status = statusLine(host);
  const figure = (title: string, m: Matrix, changed?: boolean[][]) => {
    const box = h("div");
    drawGrid(box, m, {
      cell: 22,
      testid: title.replace(/\W+/g, "-"),
      color: changed ? (_v, r, c) => (changed[r][c] ? "#fde2c4" : "#e8f1fb") : undefined,
    });
    return h("figure", {}, box, h("figcaption", { text: title }));
  };
  const load = debounce(async () => {
    try {
      const [dy, dx] = SHIFTS[dir];
      const r = await lessonApi("pool_shift", { dy, dx, mode, size: 2 });
      const changed = r.pooled.map((row, i) =>
        row.map((v, j) => Math.abs(v - r.pooled_shifted[i][j]) > 1e-9),
      );
      grids.replaceChildren(
        figure("input", r.x),
        figure(`shifted ${dir}`, r.shifted),
        figure("pooled", r.pooled, changed),
        figure("pooled after the shift", r.pooled_shifted, changed),
      );
      summary.textContent =
        `All ${r.features_moved} of the ${r.features} bright points moved one pixel ${dir}; ` +
        `${r.outputs_unchanged} of the ${r.outputs} ${r.mode === "max" ? "max" : "average"}-pooled values ` +
        `stayed exactly the same (orange: the ones that changed).`;
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }, 80);
  load();
}
