// Activations lesson panels: f and f' from the engine (alpha slider for leaky ReLU), stacked
// linear layers collapsing to one, and ReLU commuting with max pooling but not average pooling.
import { fmt, type Matrix } from "./lesson_math";
import {
  button,
  debounce,
  drawGrid,
  h,
  lessonApi,
  lessonApiAs,
  lineChart,
  select,
  slider,
  statusLine,
} from "./lesson_ui";

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
        [
          ["relu", "ReLU"],
          ["leaky_relu", "Leaky ReLU"],
          ["sigmoid", "sigmoid"],
          ["tanh", "tanh"],
          ["softplus", "softplus"],
          ["all", "all five: f"],
          ["all_df", "all five: f′"],
        ],
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
        const rs = await Promise.all(
          names.map((nm) => lessonApi("activation", { name: nm, alpha, lo: -4, hi: 4, n: 161 })),
        );
        const key = name === "all" ? "f" : "df";
        lineChart(
          chart,
          rs.map((r) => ({ name: `${key === "f" ? "f" : "f′"}: ${r.name}`, x: r.u, y: r[key] })),
          { xLabel: "u", yLabel: key === "f" ? "f(u)" : "f′(u)", width: 520, height: 260 },
        );
        probe.textContent =
          key === "f"
            ? "Only sigmoid and tanh stay between two finite values."
            : "Sigmoid's slope never exceeds 0.25; ReLU's is 1 for every positive u.";
        alphaCtl.classList.remove("inactive");
        status.ok();
        return;
      }
      const r = await lessonApi("activation", { name, alpha, lo: -4, hi: 4, n: 161 });
      lineChart(
        chart,
        [
          { name: `f(u) = ${r.name}`, x: r.u, y: r.f },
          { name: "f′(u)", x: r.u, y: r.df },
        ],
        { xLabel: "u", yLabel: "value", width: 520, height: 260 },
      );
      const i1 = r.u.findIndex((v) => v >= -2);
      const i2 = r.u.findIndex((v) => v >= 2);
      probe.textContent = `f(−2) = ${fmt(r.f[i1])}, f′(−2) = ${fmt(r.df[i1])};  f(2) = ${fmt(r.f[i2])}, f′(2) = ${fmt(r.df[i2])}`;
      // α only shapes leaky ReLU: the control reads as inactive (muted, still AA) otherwise
      alphaCtl.classList.toggle("inactive", name !== "leaky_relu");
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }, 150);
  load();
}

/** A panel of titled grids recomputed by the engine for a new random seed on each press. */
function mountSeededGrids<R>(
  host: HTMLElement,
  label: string,
  testid: string,
  fetch: (seed: number) => Promise<R>,
  render: (r: R, add: (title: string, m: Matrix, cell: number) => void) => string,
): void {
  let seed = 0;
  const grids = h("div", { class: "panel-row" });
  const out = h("p", { class: "sum-line", "data-testid": testid });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      button(label, () => {
        seed += 1;
        load();
      }),
    ),
    grids,
    out,
  );
  const status = statusLine(host);
  async function load() {
    try {
      const r = await fetch(seed);
      grids.replaceChildren();
      const add = (title: string, m: Matrix, cell: number) => {
        const box = h("div", { class: "panel-col" }, h("h4", { text: title }));
        const g = h("div");
        box.append(g);
        grids.append(box);
        drawGrid(g, m, { cell, digits: 2 });
      };
      out.textContent = render(r, add);
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  load();
}

export function mountLinearCollapse(host: HTMLElement): void {
  mountSeededGrids(
    host,
    "New random layers",
    "collapse-result",
    (seed) => lessonApi("linear_collapse", { seed }),
    (r, add) => {
      add("W⁽¹⁾", r.W1, 50);
      add("W⁽²⁾", r.W2, 50);
      add("W = W⁽²⁾W⁽¹⁾", r.W, 50);
      add("outputs: two linear layers", r.two_layers, 50);
      add("outputs: the single layer W", r.one_layer, 50);
      return `largest difference, two linear layers vs one: ${r.max_diff_linear.toExponential(1)} (rounding only). With a ReLU between them: ${fmt(r.max_diff_relu)} — no single linear layer reproduces that.`;
    },
  );
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
  mountSeededGrids(
    host,
    "New random data",
    "commute-result",
    (seed) => lessonApiAs<CommuteResult>("relu_pool", { seed, side: 6, size: 2 }),
    (r, add) => {
      add("random x", r.x, 46);
      add("ReLU(MaxPool(x))", r.relu_of_max, 46);
      add("MaxPool(ReLU(x))", r.max_of_relu, 46);
      add("ReLU(AvgPool(x))", r.relu_of_avg, 46);
      add("AvgPool(ReLU(x))", r.avg_of_relu, 46);
      return `max pooling: largest difference ${fmt(r.max_diff_max)}; average pooling: largest difference ${fmt(r.max_diff_avg)}.`;
    },
  );
}
