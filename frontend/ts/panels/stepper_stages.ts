// The stages of the guided forward / back propagation: each with its title, the notes'
// formula (TeX) and the numbers of the stage, built from the engine's trace. Pure (tested).
import { fmt, type Matrix } from "./lesson_math";

export interface LayerT {
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
export interface TraceT {
  x: number[];
  y: number[];
  loss_name: string;
  lr: number;
  layers: LayerT[];
  y_hat: number[];
  loss: number;
  loss_after: number;
  gradient_checks?: { l: number; weight: string; backprop: number; finite_difference: number }[];
}

export interface Stage {
  title: string;
  tex: string;
  lines: string[];
  focus: { layer: number; kind: "fwd" | "bwd" | "loss" | "update" };
}

/** A number inside a product or sum: negatives in parentheses, "−" as the minus sign. */
export const num = (v: number, digits = 3): string => {
  const t = fmt(v, digits);
  return t.startsWith("-") ? `(−${t.slice(1)})` : t;
};

const vec = (v: number[]) => `[${v.map((x) => fmt(x, 4)).join(", ")}]`;

export function buildStages(t: TraceT, mode: "forward" | "backward"): Stage[] {
  const fwd: Stage[] = [];
  const L = t.layers.length;
  let prev = t.x;
  for (const lt of t.layers) {
    const l = lt.l;
    const lines = lt.u.map((u, j) => {
      const terms = lt.W[j].map((w, i) => `${num(w)}·${num(prev[i])}`).join(" + ");
      return `u${j + 1} = ${terms} + ${num(lt.b[j])} = ${fmt(u, 4)}`;
    });
    fwd.push({
      title: `Forward, layer ${l}: weighted sums`,
      tex: `u_j^{(${l})} = \\sum_i w_{ji}^{(${l})} a_i^{(${l - 1})} + b_j^{(${l})}`,
      lines,
      focus: { layer: l, kind: "fwd" },
    });
    fwd.push({
      title: `Forward, layer ${l}: activation (${lt.activation})`,
      tex:
        lt.activation === "softmax"
          ? `a_k^{(${l})} = \\hat y_k = \\frac{e^{u_k}}{\\sum_h e^{u_h}}`
          : `a_j^{(${l})} = f(u_j^{(${l})})`,
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
      ? [
          `ŷ = ${vec(t.y_hat)}, true class ${t.y[0]}`,
          `E = −log ${fmt(t.y_hat[t.y[0]], 4)} = ${fmt(t.loss, 5)}`,
        ]
      : [
          `ŷ = ${fmt(t.y_hat[0], 4)}, y = ${fmt(t.y[0], 4)}`,
          `E = ½(${fmt(t.y_hat[0], 4)} − ${fmt(t.y[0], 4)})² = ${fmt(t.loss, 5)}`,
        ],
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
        tex: ce
          ? `\\delta_k^{(${l})} = \\hat y_k - t_k`
          : `\\delta^{(${l})} = \\frac{\\partial E}{\\partial a^{(${l})}} f'(u^{(${l})}) = \\hat y - y`,
        lines: [`δ = ${vec(lt.delta)}`],
        focus: { layer: l, kind: "bwd" },
      });
    } else {
      const next = t.layers[k + 1];
      bwd.push({
        title: `Backward, layer ${l}: ∂E/∂a from the layer above`,
        tex: `\\frac{\\partial E}{\\partial a_j^{(${l})}} = \\sum_k \\delta_k^{(${l + 1})} w_{kj}^{(${l + 1})}`,
        lines: lt.dE_da.map(
          (v, j) =>
            `∂E/∂a${j + 1} = ${next.delta.map((d, kk) => `${num(d)}·${num(next.W[kk][j])}`).join(" + ")} = ${fmt(v, 4)}`,
        ),
        focus: { layer: l, kind: "bwd" },
      });
      bwd.push({
        title: `Backward, layer ${l}: δ = ∂E/∂a · f′(u)`,
        tex: `\\delta_j^{(${l})} = \\frac{\\partial E}{\\partial a_j^{(${l})}}\\, f'(u_j^{(${l})})`,
        lines: lt.delta.map(
          (d, j) => `δ${j + 1} = ${num(lt.dE_da[j], 4)} · f′(${fmt(lt.u[j], 3)}) = ${fmt(d, 4)}`,
        ),
        focus: { layer: l, kind: "bwd" },
      });
    }
    const a = k === 0 ? t.x : t.layers[k - 1].a;
    bwd.push({
      title: `Gradients of layer ${l}`,
      tex: `\\frac{\\partial E}{\\partial w_{ji}^{(${l})}} = \\delta_j^{(${l})} a_i^{(${l - 1})}, \\quad \\frac{\\partial E}{\\partial b_j^{(${l})}} = \\delta_j^{(${l})}`,
      lines: [
        ...lt.dE_dW.map(
          (row, j) =>
            `row ${j + 1}: ${row.map((g, i) => `${num(lt.delta[j])}·${num(a[i])} = ${fmt(g, 4)}`).join(",  ")};  ∂E/∂b = ${fmt(lt.dE_db[j], 4)}`,
        ),
        ...(t.gradient_checks ?? [])
          .filter((c) => c.l === l)
          .map(
            (c) =>
              `check: (E(w11 + h) − E(w11 − h)) / 2h = ${fmt(c.finite_difference, 6)}, back propagation gives ${fmt(c.backprop, 6)}`,
          ),
      ],
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
