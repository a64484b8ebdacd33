// Convolution lesson panels: the sliding window over the notes' 5x5 image (every product and
// sum), kernel presets on a real image, 1-D convolution, filters stacking into a volume, and
// the output-size calculator. All numbers come from the lessons API (the engine).
import * as d3 from "d3";
import { fmt, type Matrix } from "./lesson_math";
import {
  button,
  drawGrid,
  drawImage,
  h,
  lessonApi,
  lessonApiAs,
  lineChart,
  matrixInput,
  select,
  statusLine,
  debounce,
} from "./lesson_ui";
import type { LessonResult } from "./lesson_ui";

type ConvResult = LessonResult<"conv2d">;

const NOTES_IMAGE: Matrix = [
  [1, 1, 1, 0, 0],
  [0, 1, 1, 1, 0],
  [0, 0, 1, 1, 1],
  [0, 0, 1, 1, 0],
  [0, 1, 1, 0, 0],
];
const NOTES_KERNEL: Matrix = [
  [1, 0, 1],
  [0, 1, 0],
  [1, 0, 1],
];

export function mountConvWindow(host: HTMLElement): void {
  let image = NOTES_IMAGE.map((r) => r.slice());
  let kernel = NOTES_KERNEL.map((r) => r.slice());
  let stride = "1";
  let padding = "valid";
  let step = 0;
  let result: ConvResult | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;

  const inputs = h("div", { class: "panel-row" });
  const imgBox = h("div", { class: "panel-col" }, h("h4", { text: "Image (editable)" }));
  const kerBox = h("div", { class: "panel-col" }, h("h4", { text: "Kernel (editable)" }));
  inputs.append(imgBox, kerBox);
  const imgInput = matrixInput(imgBox, image, "image", (m) => {
    image = m;
    refresh(true);
  });
  matrixInput(kerBox, kernel, "kernel", (m) => {
    kernel = m;
    refresh(true);
  });

  const stepLabel = h("span", { class: "step-label", "data-testid": "conv-step" });
  const playBtn = button("Play", () => togglePlay());
  const strideControl = select(
    "stride",
    [
      ["1", "1"],
      ["2", "2"],
    ],
    stride,
    (v) => {
      stride = v;
      refresh(true);
    },
  );
  const paddingControl = select(
    "padding",
    [
      ["valid", "valid (none)"],
      ["same", "same"],
      ["1", "1"],
      ["2", "2"],
    ],
    padding,
    (v) => {
      padding = v;
      refresh(true);
    },
  );
  const controls = h(
    "div",
    { class: "panel-controls" },
    strideControl,
    paddingControl,
    button("◀ Previous", () => go(step - 1), { "aria-label": "previous window" }),
    button("Next ▶", () => go(step + 1), {
      "aria-label": "next window",
      "data-testid": "conv-next",
    }),
    playBtn,
    button("Reset to the notes' example", () => {
      // every control back to the notes' example: image, kernel, stride 1, no padding, window 1
      if (timer) togglePlay();
      stride = "1";
      padding = "valid";
      strideControl.querySelector("select")!.value = stride;
      paddingControl.querySelector("select")!.value = padding;
      step = 0;
      image = NOTES_IMAGE.map((r) => r.slice());
      kernel = NOTES_KERNEL.map((r) => r.slice());
      imgInput.set(image);
      kerBox.querySelector("table")?.remove();
      matrixInput(kerBox, kernel, "kernel", (m) => {
        kernel = m;
        refresh(true);
      });
      refresh(true);
    }),
    stepLabel,
  );

  const views = h("div", { class: "panel-row" });
  const padBox = h("div", { class: "panel-col" });
  const outBox = h("div", { class: "panel-col" });
  views.append(
    h("div", {}, h("h4", { text: "Window over the (padded) image" }), padBox),
    h("div", {}, h("h4", { text: "Convolved feature" }), outBox),
  );
  const sumLine = h("p", { class: "sum-line", "data-testid": "conv-sum", "aria-live": "polite" });
  host.append(inputs, controls, views, sumLine);
  const status = statusLine(host);
  host.addEventListener("keydown", (e) => {
    if ((e.target as HTMLElement).tagName === "INPUT") return;
    if (e.key === "ArrowRight") go(step + 1);
    if (e.key === "ArrowLeft") go(step - 1);
  });

  function togglePlay() {
    if (timer) {
      clearInterval(timer);
      timer = null;
      playBtn.textContent = "Play";
      return;
    }
    playBtn.textContent = "Pause";
    timer = setInterval(() => {
      if (!result) return;
      if (step >= result.windows.length - 1) {
        togglePlay();
        return;
      }
      go(step + 1);
    }, 700);
  }

  function go(n: number) {
    if (!result) return;
    step = Math.max(0, Math.min(result.windows.length - 1, n));
    draw();
  }

  function draw() {
    if (!result) return;
    const w = result.windows[step];
    const [pt, , pl] = result.pad;
    const K = result.kernel.length;
    const r0 = w.top_left[0] + pt;
    const c0 = w.top_left[1] + pl;
    const inWin = (r: number, c: number) => r >= r0 && r < r0 + K && c >= c0 && c < c0 + K;
    drawGrid(padBox, result.padded, {
      cell: 44,
      color: (_v, r, c) =>
        inWin(r, c)
          ? "#fde9a8"
          : r < pt || c < pl || r >= pt + result!.image.length || c >= pl + result!.image[0].length
            ? "#eee"
            : "#fff",
      highlight: (r, c) => (inWin(r, c) ? "#c47f00" : null),
      text: (v, r, c) =>
        inWin(r, c) ? `${fmt(v)}×${fmt(result!.kernel[r - r0][c - c0])}` : fmt(v),
      title: "padded image with the current window",
      testid: "conv-padded",
    });
    const done = new Set(result.windows.slice(0, step + 1).map((x) => `${x.out[0]},${x.out[1]}`));
    drawGrid(outBox, result.output, {
      cell: 44,
      color: (_v, r, c) =>
        r === w.out[0] && c === w.out[1] ? "#fde9a8" : done.has(`${r},${c}`) ? "#e8f1fb" : "#fff",
      highlight: (r, c) => (r === w.out[0] && c === w.out[1] ? "#c47f00" : null),
      text: (v, r, c) => (done.has(`${r},${c}`) ? fmt(v) : ""),
      title: "convolved feature",
      testid: "conv-output",
    });
    const terms = w.products.flatMap((row, a) =>
      row.map((_p, b) => `${fmt(result!.padded[r0 + a][c0 + b])}×${fmt(result!.kernel[a][b])}`),
    );
    sumLine.textContent = `output[${w.out[0]}][${w.out[1]}] = ${terms.join(" + ")} = ${fmt(w.sum)}`;
    stepLabel.textContent = `window ${step + 1} of ${result.windows.length}`;
  }

  const refresh = debounce(async (resetStep: boolean) => {
    try {
      const pad = padding === "valid" || padding === "same" ? padding : Number(padding);
      result = await lessonApi("conv2d", {
        image,
        kernel,
        stride: Number(stride),
        padding: pad,
      });
      if (resetStep || step >= result.windows.length) step = 0;
      status.ok(`output ${result.output_shape[0]}×${result.output_shape[1]}`);
      draw();
    } catch (e) {
      status.error(e);
    }
  }, 150);
  refresh(true);
}

export function mountConvPresets(host: HTMLElement): void {
  let kernel = "edges";
  const left = h("div", { class: "panel-col" }, h("h4", { text: "Image" }));
  const imgBox = h("div");
  left.append(imgBox);
  const mid = h("div", { class: "panel-col" }, h("h4", { text: "Kernel" }));
  const kBox = h("div");
  mid.append(kBox);
  const right = h("div", { class: "panel-col" }, h("h4", { text: "Feature map" }));
  const outBox = h("div");
  right.append(outBox);
  const names: [string, string][] = [
    ["edges", "edges (Laplacian)"],
    ["edge_vertical", "vertical edges (Sobel)"],
    ["edge_horizontal", "horizontal edges (Sobel)"],
    ["blur", "blur"],
    ["sharpen", "sharpen"],
    ["notes_x", "the notes' X kernel"],
    ["identity", "identity"],
  ];
  let source = "scene";
  let index = 0;
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select("kernel", names, kernel, (v) => {
        kernel = v;
        load();
      }),
      select(
        "image",
        [
          ["scene", "generated scene"],
          ["shapes", "a shapes image"],
          ["digit", "a handwritten digit"],
        ],
        source,
        (v) => {
          source = v;
          load();
        },
      ),
      button("Another image", () => {
        index += 1;
        load();
      }),
    ),
    h("div", { class: "panel-row" }, left, mid, right),
  );
  const status = statusLine(host);
  async function load() {
    try {
      const r = await lessonApi("conv_image", {
        kernel,
        padding: "same",
        source,
        index,
      });
      drawImage(imgBox, r.image, 6, "input image");
      drawGrid(kBox, r.kernel, { cell: 34, digits: 2, testid: "preset-kernel" });
      drawImage(outBox, r.output, 6, "feature map");
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  load();
}

export function mountConv1d(host: HTMLElement): void {
  const kernels: [string, string][] = [
    ["0.1,0.2,0.4,0.2,0.1", "smoothing (symmetric)"],
    ["1,0,-1", "difference (antisymmetric)"],
    ["0.5,0.3,0.2", "decaying memory"],
  ];
  let k = kernels[0][0];
  const chart = h("div");
  const note = h("p", { class: "small" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select("kernel g", kernels, k, (v) => {
        k = v;
        load();
      }),
    ),
    chart,
    note,
  );
  const status = statusLine(host);
  async function load() {
    try {
      const r = await lessonApi("conv1d", { kernel: k.split(",").map(Number) });
      const t = r.signal.map((_v, i) => i);
      const tc = r.convolution.map((_v, i) => i + r.offset);
      lineChart(
        chart,
        [
          { name: "signal f", x: t, y: r.signal },
          { name: "convolution f∗g (g flipped)", x: tc, y: r.convolution },
          { name: "cross-correlation (CNN layer)", x: tc, y: r.correlation },
        ],
        { xLabel: "t", yLabel: "value", width: 560 },
      );
      note.textContent = r.symmetric_kernel
        ? "This kernel is symmetric, so flipping it changes nothing: the two curves coincide."
        : "This kernel is not symmetric: true convolution and cross-correlation differ (one is the other with the kernel reversed).";
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  load();
}

interface VolumeResult {
  image: Matrix;
  kernels: Matrix[];
  volume: Matrix[];
  volume_shape: number[];
  shape_text: string;
}

export function mountConvVolume(host: HTMLElement): void {
  const row = h("div", { class: "panel-row volume" });
  const caption = h("p", { "data-testid": "volume-shape" });
  host.append(caption, row);
  const status = statusLine(host);
  lessonApiAs<VolumeResult>("conv_volume", {})
    .then((r) => {
      caption.textContent = r.shape_text;
      r.volume.forEach((slice, i) => {
        const col = h(
          "div",
          { class: "panel-col" },
          h("h4", { text: `filter ${i + 1} → depth slice ${i + 1}` }),
        );
        const kb = h("div");
        const sb = h("div");
        col.append(kb, sb);
        row.append(col);
        drawGrid(kb, r.kernels[i], { cell: 22, digits: 1 });
        drawImage(sb, slice, 5, `depth slice ${i + 1}`);
      });
      // a small 3-D sketch of the stacked slices
      const W = 220;
      const svg = d3
        .select(row)
        .append("svg")
        .attr("width", W)
        .attr("height", 180)
        .attr("role", "img")
        .attr("aria-label", "feature maps stacked into a volume");
      r.volume.forEach((_s, i) => {
        svg
          .append("rect")
          .attr("x", 30 + i * 18)
          .attr("y", 20 + i * 12)
          .attr("width", 100)
          .attr("height", 100)
          .attr("fill", d3.schemeTableau10[i % 10])
          .attr("fill-opacity", 0.5)
          .attr("stroke", "#333");
      });
      svg
        .append("text")
        .attr("x", 10)
        .attr("y", 174)
        .attr("font-size", 11)
        .text(`depth = ${r.volume.length} (one slice per filter)`);
      status.ok();
    })
    .catch((e) => status.error(e));
}

export function mountOutputSize(host: HTMLElement): void {
  const state: Record<string, string> = { width: "28", kernel: "3", padding: "valid", stride: "1" };
  const mk = (name: string, label: string) => {
    const inp = h("input", {
      type: "number",
      min: 0,
      value: state[name],
      name,
      "aria-label": label,
      style: "width:5em",
    });
    inp.addEventListener("input", () => {
      state[name] = inp.value;
      calc();
    });
    return h("label", { class: "control" }, `${label} `, inp);
  };
  const padSel = h("select", { "aria-label": "padding" });
  for (const [v, t] of [
    ["valid", "valid (P = 0)"],
    ["same", "same"],
    ["1", "P = 1"],
    ["2", "P = 2"],
    ["3", "P = 3"],
  ])
    padSel.append(h("option", { value: v, text: t }));
  padSel.addEventListener("change", () => {
    state.padding = padSel.value;
    calc();
  });
  const out = h("p", {
    class: "big-result",
    "data-testid": "outsize-result",
    "aria-live": "polite",
  });
  const warn = h("p", { class: "warning", "data-testid": "outsize-warning" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      mk("width", "input width W"),
      mk("kernel", "kernel K"),
      h("label", { class: "control" }, "padding ", padSel),
      mk("stride", "stride S"),
    ),
    out,
    warn,
  );
  const status = statusLine(host);
  const calc = debounce(async () => {
    try {
      const pad =
        state.padding === "valid" || state.padding === "same"
          ? state.padding
          : Number(state.padding);
      const r = await lessonApi("output_size", {
        width: Number(state.width),
        kernel: Number(state.kernel),
        padding: pad,
        stride: Number(state.stride),
      });
      out.textContent = `output width = ⌊(${state.width} − ${state.kernel} + ${r.pad_before + r.pad_after}) / ${state.stride}⌋ + 1 = ${r.output}`;
      const notes = `The notes' (W − K + 1)/S gives ${fmt(r.notes_formula)}${r.notes_formula_agrees ? " (agrees here)" : " (wrong here)"}.`;
      warn.textContent = (r.warning ? `⚠ ${r.warning}. ` : "") + notes;
      status.ok();
    } catch (e) {
      out.textContent = "";
      warn.textContent = "";
      status.error(e);
    }
  }, 200);
  calc();
}
