// Guided forward / back propagation through a 2-3-K network: one stage at a time, the notes'
// formula for the stage, and the stage's numbers (from the engine's Trace via the lessons API).
import * as d3 from "d3";
import { fmt, type Matrix } from "./lesson_math";
import { button, h, lessonApi, select, statusLine } from "./lesson_ui";
import { renderMathElement } from "./math";

interface LayerT {
  l: number;
  activation: string;
  W: Matrix;
  b: number[];
  u: number[];
  a: number[];
  dE_da: number[];
  delta: number[];
  dE_dW: Matrix;
  dE_db: number[];
  update_W: Matrix;
  W_after: Matrix;
  b_after: number[];
}
interface TraceT {
  x: number[];
  y: number[];
  loss_name: string;
  lr: number;
  layers: LayerT[];
  y_hat: number[];
  loss: number;
  loss_after: number;
}

interface Stage {
  title: string;
  tex: string;
  lines: string[];
  focus: { layer: number; kind: "fwd" | "bwd" | "loss" | "update" };
}

const vec = (v: number[]) => `[${v.map((x) => fmt(x, 4)).join(", ")}]`;

export function buildStages(t: TraceT, mode: "forward" | "backward"): Stage[] {
  const fwd: Stage[] = [];
  const L = t.layers.length;
  let prev = t.x;
  for (const lt of t.layers) {
    const l = lt.l;
    const lines = lt.u.map((u, j) => {
      const terms = lt.W[j].map((w, i) => `${fmt(w, 3)}·${fmt(prev[i], 3)}`).join(" + ");
      return `u${j + 1} = ${terms} + ${fmt(lt.b[j], 3)} = ${fmt(u, 4)}`;
    });
    fwd.push({
      title: `Forward, layer ${l}: weighted sums`,
      tex: `u_j^{(${l})} = \\sum_i w_{ji}^{(${l})} a_i^{(${l - 1})} + b_j^{(${l})}`,
      lines,
      focus: { layer: l, kind: "fwd" },
    });
    fwd.push({
      title: `Forward, layer ${l}: activation (${lt.activation})`,
      tex: lt.activation === "softmax" ? `a_k^{(${l})} = \\hat y_k = \\frac{e^{u_k}}{\\sum_h e^{u_h}}` : `a_j^{(${l})} = f(u_j^{(${l})})`,
      lines: [`u = ${vec(lt.u)}`, `a = ${vec(lt.a)}`],
      focus: { layer: l, kind: "fwd" },
    });
    prev = lt.a;
  }
  const ce = t.loss_name === "cross_entropy";
  fwd.push({
    title: "Prediction and error",
    tex: ce ? `E_n = -\\sum_k t_{nk} \\log \\hat y_{nk}` : `E_n = \\tfrac12 (\\hat y_n - y_n)^2`,
    lines: ce
      ? [`ŷ = ${vec(t.y_hat)}, true class ${t.y[0]}`, `E = −log ${fmt(t.y_hat[t.y[0]], 4)} = ${fmt(t.loss, 5)}`]
      : [`ŷ = ${fmt(t.y_hat[0], 4)}, y = ${fmt(t.y[0], 4)}`, `E = ½(${fmt(t.y_hat[0], 4)} − ${fmt(t.y[0], 4)})² = ${fmt(t.loss, 5)}`],
    focus: { layer: L, kind: "loss" },
  });
  if (mode === "forward") return fwd;
  const bwd: Stage[] = [fwd[fwd.length - 1]];
  for (let k = L - 1; k >= 0; k--) {
    const lt = t.layers[k];
    const l = lt.l;
    if (l === L) {
      bwd.push({
        title: `Backward, output layer ${l}: δ`,
        tex: ce ? `\\delta_k^{(${l})} = \\hat y_k - t_k` : `\\delta^{(${l})} = \\frac{\\partial E}{\\partial a^{(${l})}} f'(u^{(${l})}) = \\hat y - y`,
        lines: [`δ = ${vec(lt.delta)}`],
        focus: { layer: l, kind: "bwd" },
      });
    } else {
      const next = t.layers[k + 1];
      bwd.push({
        title: `Backward, layer ${l}: ∂E/∂a from the layer above`,
        tex: `\\frac{\\partial E}{\\partial a_j^{(${l})}} = \\sum_k \\delta_k^{(${l + 1})} w_{kj}^{(${l + 1})}`,
        lines: lt.dE_da.map((v, j) => `∂E/∂a${j + 1} = ${next.delta.map((d, kk) => `${fmt(d, 3)}·${fmt(next.W[kk][j], 3)}`).join(" + ")} = ${fmt(v, 4)}`),
        focus: { layer: l, kind: "bwd" },
      });
      bwd.push({
        title: `Backward, layer ${l}: δ = ∂E/∂a · f′(u)`,
        tex: `\\delta_j^{(${l})} = \\frac{\\partial E}{\\partial a_j^{(${l})}}\\, f'(u_j^{(${l})})`,
        lines: lt.delta.map((d, j) => `δ${j + 1} = ${fmt(lt.dE_da[j], 4)} · f′(${fmt(lt.u[j], 3)}) = ${fmt(d, 4)}`),
        focus: { layer: l, kind: "bwd" },
      });
    }
    const a = k === 0 ? t.x : t.layers[k - 1].a;
    bwd.push({
      title: `Gradients of layer ${l}`,
      tex: `\\frac{\\partial E}{\\partial w_{ji}^{(${l})}} = \\delta_j^{(${l})} a_i^{(${l - 1})}, \\quad \\frac{\\partial E}{\\partial b_j^{(${l})}} = \\delta_j^{(${l})}`,
      lines: lt.dE_dW.map((row, j) => `row ${j + 1}: ${row.map((g, i) => `${fmt(lt.delta[j], 3)}·${fmt(a[i], 3)} = ${fmt(g, 4)}`).join(",  ")};  ∂E/∂b = ${fmt(lt.dE_db[j], 4)}`),
      focus: { layer: l, kind: "bwd" },
    });
  }
  bwd.push({
    title: `SGD update (η = ${fmt(t.lr)})`,
    tex: `w_{ji}^{(l)} \\leftarrow w_{ji}^{(l)} - \\eta \\frac{\\partial E}{\\partial w_{ji}^{(l)}}`,
    lines: [
      ...t.layers.map((lt) => `W(${lt.l}) after: ${lt.W_after.map((r) => vec(r)).join(" ")}`),
      `error on this sample: ${fmt(t.loss, 5)} → ${fmt(t.loss_after, 5)}`,
    ],
    focus: { layer: 0, kind: "update" },
  });
  return bwd;
}

function drawNet(host: HTMLElement, t: TraceT, focus: Stage["focus"]) {
  host.replaceChildren();
  const sizes = [t.x.length, ...t.layers.map((l) => l.a.length)];
  const W = 420;
  const H = 200;
  const svg = d3.select(host).append("svg").attr("viewBox", `0 0 ${W} ${H}`).attr("width", "100%").attr("style", `max-width:${W}px`).attr("role", "img").attr("aria-label", "network diagram");
  const x = (l: number) => 40 + (l * (W - 80)) / (sizes.length - 1);
  const y = (l: number, j: number) => H / 2 + (j - (sizes[l] - 1) / 2) * 52;
  for (let l = 1; l < sizes.length; l++) {
    const lt = t.layers[l - 1];
    for (let j = 0; j < sizes[l]; j++)
      for (let i = 0; i < sizes[l - 1]; i++) {
        const w = lt.W[j][i];
        svg.append("line").attr("x1", x(l - 1)).attr("y1", y(l - 1, i)).attr("x2", x(l)).attr("y2", y(l, j))
          .attr("stroke", w >= 0 ? "#2a7ab9" : "#c0392b").attr("stroke-width", Math.min(4, 0.5 + Math.abs(w) * 1.5))
          .attr("opacity", focus.layer === l || focus.kind === "update" ? 0.9 : 0.25);
      }
  }
  sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const val = l === 0 ? t.x[j] : focus.kind === "bwd" && focus.layer <= l ? t.layers[l - 1].delta[j] : t.layers[l - 1].a[j];
      const active = focus.layer === l;
      svg.append("circle").attr("cx", x(l)).attr("cy", y(l, j)).attr("r", 19)
        .attr("fill", active ? (focus.kind === "bwd" ? "#fde2e0" : "#fde9a8") : "#fff").attr("stroke", "#333");
      svg.append("text").attr("x", x(l)).attr("y", y(l, j)).attr("dy", "0.35em").attr("text-anchor", "middle").attr("font-size", 10).text(fmt(val, 2));
    }
    svg.append("text").attr("x", x(l)).attr("y", H - 4).attr("text-anchor", "middle").attr("font-size", 10).text(l === 0 ? "input a⁽⁰⁾" : `layer ${l}`);
  });
}

export function mountNetworkStepper(host: HTMLElement, mode: "forward" | "backward"): void {
  let activation = "sigmoid";
  let loss = "cross_entropy";
  let seed = 0;
  let stages: Stage[] = [];
  let trace: TraceT | null = null;
  let i = 0;
  const diagram = h("div");
  const title = h("p", { class: "stage", "data-testid": "stage-title", "aria-live": "polite" });
  const formula = h("div", { class: "formula" });
  const lines = h("div", { class: "sum-line", "data-testid": "stage-numbers" });
  const counter = h("span", { class: "small" });
  const xIn = h("input", { type: "text", value: "0.5, -1", "aria-label": "input x (two numbers)", size: 8 });
  const yIn = h("input", { type: "text", value: "1", "aria-label": "target y", size: 4 });
  xIn.addEventListener("change", () => load());
  yIn.addEventListener("change", () => load());
  host.classList.add("stepper");
  host.append(
    h("div", { class: "panel-controls" },
      select("activation", [["sigmoid", "sigmoid"], ["tanh", "tanh"], ["relu", "ReLU"]], activation, (v) => { activation = v; load(); }),
      select("task", [["cross_entropy", "classification (softmax, cross-entropy)"], ["half_sse", "regression (identity, ½ squared error)"]], loss, (v) => { loss = v; yIn.value = v === "cross_entropy" ? "1" : "0.7"; load(); }),
      h("label", { class: "control" }, "x ", xIn),
      h("label", { class: "control" }, "y ", yIn),
      button("New random weights", () => { seed += 1; load(); }),
    ),
    h("div", { class: "panel-controls" },
      button("◀ Back", () => go(i - 1)),
      button("Next stage ▶", () => go(i + 1), { "data-testid": "stage-next" }),
      button("Restart", () => go(0)),
      counter,
    ),
    diagram, title, formula, lines,
  );
  const status = statusLine(host);
  function go(n: number) {
    if (!stages.length || !trace) return;
    i = Math.max(0, Math.min(stages.length - 1, n));
    const s = stages[i];
    title.textContent = s.title;
    formula.textContent = s.tex;
    formula.removeAttribute("data-rendered");
    renderMathElement(formula);
    lines.replaceChildren(...s.lines.map((t) => h("div", { text: t })));
    counter.textContent = `stage ${i + 1} of ${stages.length}`;
    drawNet(diagram, trace, s.focus);
  }
  async function load() {
    try {
      const x = xIn.value.split(",").map((v) => Number(v.trim()));
      const y = loss === "cross_entropy" ? Number(yIn.value) : Number(yIn.value);
      trace = await lessonApi<TraceT>("network_trace", { x, y, activation, loss, seed, lr: 0.5 });
      stages = buildStages(trace, mode);
      go(0);
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  load();
}
