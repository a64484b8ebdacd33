// Activations lesson panels: f and f' from the engine (alpha slider for leaky ReLU), stacked
// linear layers collapsing to one, and ReLU commuting with max pooling but not average pooling.
import { fmt, type Matrix } from "./lesson_math";
import { button, debounce, drawGrid, h, lessonApi, lineChart, select, slider, statusLine } from "./lesson_ui";

interface ActResult {
  name: string;
  alpha: number;
  u: number[];
  f: number[];
  df: number[];
}

export function mountActivationPlot(host: HTMLElement): void {
  let name = "relu";
  let alpha = 0.1;
  const chart = h("div", { "data-testid": "act-chart" });
  const probe = h("p", { class: "sum-line", "data-testid": "act-probe" });
  const alphaCtl = slider("α (leaky ReLU)", 0, 0.5, 0.01, alpha, (v) => {
    alpha = v;
    load();
  });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "activation",
        [["relu", "ReLU"], ["leaky_relu", "Leaky ReLU"], ["sigmoid", "sigmoid"], ["tanh", "tanh"], ["softplus", "softplus"], ["all", "all five: f"], ["all_df", "all five: f′"]],
        name,
        (v) => {
          name = v;
          load();
        },
      ),
      alphaCtl,
    ),
    chart,
    probe,
  );
  const status = statusLine(host);
  const load = debounce(async () => {
    try {
      if (name === "all" || name === "all_df") {
        const names = ["relu", "leaky_relu", "sigmoid", "tanh", "softplus"];
        const rs = await Promise.all(names.map((nm) => lessonApi<ActResult>("activation", { name: nm, alpha, lo: -4, hi: 4, n: 161 })));
        const key = name === "all" ? "f" : "df";
        lineChart(chart, rs.map((r) => ({ name: `${key === "f" ? "f" : "f′"}: ${r.name}`, x: r.u, y: r[key] })), { xLabel: "u", yLabel: key === "f" ? "f(u)" : "f′(u)", width: 520, height: 260 });
        probe.textContent = key === "f" ? "Only sigmoid and tanh stay between two finite values." : "Sigmoid's slope never exceeds 0.25; ReLU's is 1 for every positive u.";
        alphaCtl.style.opacity = "1";
        status.ok();
        return;
      }
      const r = await lessonApi<ActResult>("activation", { name, alpha, lo: -4, hi: 4, n: 161 });
      lineChart(chart, [
        { name: `f(u) = ${r.name}`, x: r.u, y: r.f },
        { name: "f′(u)", x: r.u, y: r.df, dashed: true },
      ], { xLabel: "u", yLabel: "value", width: 520, height: 260 });
      const i1 = r.u.findIndex((v) => v >= -2);
      const i2 = r.u.findIndex((v) => v >= 2);
      probe.textContent = `f(−2) = ${fmt(r.f[i1])}, f′(−2) = ${fmt(r.df[i1])};  f(2) = ${fmt(r.f[i2])}, f′(2) = ${fmt(r.df[i2])}`;
      alphaCtl.style.opacity = name === "leaky_relu" ? "1" : "0.4";
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }, 150);
  load();
}

interface CollapseResult {
  W1: Matrix;
  W2: Matrix;
  W: Matrix;
  b: number[];
  two_layers: Matrix;
  one_layer: Matrix;
  with_relu: Matrix;
  max_diff_linear: number;
  max_diff_relu: number;
}

export function mountLinearCollapse(host: HTMLElement): void {
  let seed = 0;
  const grids = h("div", { class: "panel-row" });
  const out = h("p", { class: "sum-line", "data-testid": "collapse-result" });
  host.append(h("div", { class: "panel-controls" }, button("New random layers", () => {
    seed += 1;
    load();
  })), grids, out);
  const status = statusLine(host);
  async function load() {
    try {
      const r = await lessonApi<CollapseResult>("linear_collapse", { seed });
      grids.replaceChildren();
      const add = (title: string, m: Matrix) => {
        const box = h("div", { class: "panel-col" }, h("h4", { text: title }));
        const g = h("div");
        box.append(g);
        grids.append(box);
        drawGrid(g, m, { cell: 50, digits: 2 });
      };
      add("W⁽¹⁾", r.W1);
      add("W⁽²⁾", r.W2);
      add("W = W⁽²⁾W⁽¹⁾", r.W);
      add("outputs: two linear layers", r.two_layers);
      add("outputs: the single layer W", r.one_layer);
      out.textContent = `largest difference, two linear layers vs one: ${r.max_diff_linear.toExponential(1)} (rounding only). With a ReLU between them: ${fmt(r.max_diff_relu)} — no single linear layer reproduces that.`;
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  load();
}

interface CommuteResult {
  x: Matrix;
  relu_of_max: Matrix;
  max_of_relu: Matrix;
  relu_of_avg: Matrix;
  avg_of_relu: Matrix;
  max_diff_max: number;
  max_diff_avg: number;
}

export function mountReluPool(host: HTMLElement): void {
  let seed = 0;
  const grids = h("div", { class: "panel-row" });
  const out = h("p", { class: "sum-line", "data-testid": "commute-result" });
  host.append(h("div", { class: "panel-controls" }, button("New random data", () => {
    seed += 1;
    load();
  })), grids, out);
  const status = statusLine(host);
  async function load() {
    try {
      const r = await lessonApi<CommuteResult>("relu_pool", { seed, side: 6, size: 2 });
      grids.replaceChildren();
      const add = (title: string, m: Matrix, cell = 46) => {
        const box = h("div", { class: "panel-col" }, h("h4", { text: title }));
        const g = h("div");
        box.append(g);
        grids.append(box);
        drawGrid(g, m, { cell, digits: 2 });
      };
      add("random x", r.x, 46);
      add("ReLU(MaxPool(x))", r.relu_of_max);
      add("MaxPool(ReLU(x))", r.max_of_relu);
      add("ReLU(AvgPool(x))", r.relu_of_avg);
      add("AvgPool(ReLU(x))", r.avg_of_relu);
      out.textContent = `max pooling: largest difference ${fmt(r.max_diff_max)}; average pooling: largest difference ${fmt(r.max_diff_avg)}.`;
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  load();
}
