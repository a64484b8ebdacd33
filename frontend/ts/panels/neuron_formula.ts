// One neuron's formulas with the numbers of the chosen sample substituted (KaTeX).
import katex from "katex";
import { neuronFormulas, type LossName, type NeuronNumbers } from "../playground/formula";
import { h, replace } from "../ui/dom";
import type { StageView } from "../playground/types";

type M = number[][];

/** The numbers of neuron j of layer l (1-based l) for sample row r of the stage, or null. */
export function neuronNumbers(
  stage: StageView,
  l: number,
  j: number,
  r: number,
  loss: LossName,
  lr: number,
): NeuronNumbers | null {
  const lv = stage.layers[l - 1];
  const params = stage.trace_params;
  if (!lv || !lv.u || !lv.a || !params || !stage.a0) return null;
  const W = params[`W${l}`] as M;
  const b = params[`b${l}`] as number[];
  const aPrev = l === 1 ? stage.a0[r] : (stage.layers[l - 2].a as M)[r];
  const n: NeuronNumbers = {
    l,
    j,
    L: stage.L,
    activation: lv.activation,
    loss,
    m: stage.m,
    w: W[j],
    b: b[j],
    aPrev,
    u: lv.u[r][j],
    a: lv.a[r][j],
    uLayer: lv.u[r],
    lr,
  };
  if (lv.delta) {
    n.delta = lv.delta[r][j];
    if (lv.f_prime) n.fPrime = lv.f_prime[r][j];
    if (lv.dE_da) n.dE_da = lv.dE_da[r][j];
    if (lv.dE_dW) n.dE_dW = lv.dE_dW[j];
    if (lv.dE_db) n.dE_db = lv.dE_db[j];
    if (l === stage.L) {
      const t = stage.selection.t[r];
      n.target = Array.isArray(t) ? t[j] : t === j ? 1 : 0;
      if (loss === "half_sse" && Array.isArray(t)) n.target = t[j];
    } else {
      const next = stage.layers[l];
      const Wn = params[`W${l + 1}`] as M;
      if (next.delta) {
        n.nextDelta = next.delta[r];
        n.nextW = Wn.map((rowK) => rowK[j]);
      }
    }
  }
  if (stage.update && lv.delta) {
    n.dW = (stage.update[`W${l}`] as M)[j];
    n.db = (stage.update[`b${l}`] as number[])[j];
  }
  return n;
}

function block(title: string, lines: string[]): Node[] {
  if (!lines.length) return [];
  return [
    h("h4", {}, title),
    ...lines.map((tex) => {
      const div = h("div", { class: "formula-line", "data-tex": tex });
      katex.render(tex, div, { displayMode: true, throwOnError: false });
      return div;
    }),
  ];
}

export function renderNeuronFormula(
  root: HTMLElement,
  n: NeuronNumbers | null,
  label: string,
): void {
  if (!n) {
    replace(root, h("p", { class: "note" }, `${label}: run the forward pass to see its numbers.`));
    return;
  }
  const f = neuronFormulas(n);
  replace(
    root,
    h("h3", {}, label),
    block("Forward", f.forward),
    block("Back propagation", f.backward),
    block("Gradients", f.gradient),
    block("Update", f.update),
  );
  root.dataset.l = String(n.l);
  root.dataset.j = String(n.j);
}
