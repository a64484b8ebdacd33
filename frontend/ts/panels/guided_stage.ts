// Guided mode of the playground (?guided=forward|backward|1): for the stage the session just
// performed, the formula of the notes for the WHOLE layer with the actual numbers, as TeX lines,
// plus one plain sentence saying what the stage does. Pure (no DOM): the page renders the lines
// with KaTeX. Number formatting and f / f' come from playground/formula.ts.
//
//   forward l:  u^(l) = W^(l) a^(l-1) + b^(l),  a^(l) = f(u^(l))   (and E_n once l = L)
//   backward L: delta^(L) = y_hat - t (softmax + cross-entropy) or y_hat - y (identity + 1/2 SSE)
//   backward l: dE/da^(l) = W^(l+1)T delta^(l+1),  delta^(l) = f'(u^(l)) (.) dE/da^(l)
//   gradients:  dE/dW^(l) = delta^(l) a^(l-1)T,  dE/db^(l) = delta^(l)
//   update:     W <- W - eta dE/dW,  b <- b - eta dE/db
import { fmt, fName, type LossName } from "../playground/formula";
import type { Matrix, StageView } from "../playground/types";

export type GuidedMode = "forward" | "backward" | "all";

export interface GuidedLine {
  tex: string;
  /** The quantity whose numbers end the line (e.g. "u", "a", "E", "delta", "dE_da", "dE_dW"). */
  quantity?: string;
  /** Its exact values (a vector, a matrix or one number), for tests and screen readers. */
  values?: number[] | number[][] | number;
}

export interface GuidedView {
  kind: "idle" | "forward" | "backward" | "update";
  l: number | null;
  title: string;
  sentence: string;
  lines: GuidedLine[];
}

/** The guided mode named by a query string (?guided=forward|backward|1), or null. */
export function guidedMode(search: string): GuidedMode | null {
  const v = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search).get("guided");
  if (v === null) return null;
  if (v === "forward" || v === "backward") return v;
  if (v === "" || v === "0" || v === "false") return null;
  return "all";
}

/** Whether the compact embed layout (?embed=1) is asked for. */
export function embedMode(search: string): boolean {
  const v = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search).get("embed");
  return v !== null && v !== "0" && v !== "false";
}

const MAX = 8; // rows or columns shown before \vdots / \cdots
const sup = (l: number | string) => `^{(${l})}`;
const supT = (l: number) => `^{(${l})\\top}`;

function cut<T>(xs: T[]): (T | null)[] {
  return xs.length <= MAX ? xs : [...xs.slice(0, MAX - 2), null, xs[xs.length - 1]];
}

/** A column vector of numbers as a TeX pmatrix. */
export function colTex(v: number[]): string {
  return `\\begin{pmatrix} ${cut(v)
    .map((x) => (x === null ? "\\vdots" : fmt(x)))
    .join(" \\\\ ")} \\end{pmatrix}`;
}

/** A row vector (for a^T in an outer product). */
export function rowTex(v: number[]): string {
  return `\\begin{pmatrix} ${cut(v)
    .map((x) => (x === null ? "\\cdots" : fmt(x)))
    .join(" & ")} \\end{pmatrix}`;
}

/** A matrix as a TeX pmatrix (long sides shortened). */
export function matTex(M: Matrix): string {
  const rows = cut(M).map((r) => {
    if (r === null)
      return cut(M[0])
        .map(() => "\\vdots")
        .join(" & ");
    return cut(r)
      .map((x) => (x === null ? "\\cdots" : fmt(x)))
      .join(" & ");
  });
  return `\\begin{pmatrix} ${rows.join(" \\\\ ")} \\end{pmatrix}`;
}

const transpose = (M: Matrix): Matrix => (M.length ? M[0].map((_, i) => M.map((r) => r[i])) : []);

/** t of the sample as a vector over the K outputs (a class index becomes one-hot). */
export function targetVector(t: number | number[], K: number): number[] {
  return Array.isArray(t) ? t : Array.from({ length: K }, (_, k) => (k === t ? 1 : 0));
}

/** f'(u) of a layer's activation as a TeX rule in vector form. */
function ruleTex(activation: string, l: number): string {
  const a = `a${sup(l)}`;
  const u = `u${sup(l)}`;
  switch (activation) {
    case "tanh":
      return `1 - ${a} \\odot ${a}`;
    case "sigmoid":
      return `${a} \\odot (1 - ${a})`;
    case "relu":
      return `[${u} > 0]`;
    case "leaky_relu":
      return `[${u} > 0] + \\alpha [${u} \\le 0]`;
    case "softplus":
      return `\\sigma(${u})`;
    default:
      return "1";
  }
}

interface Ctx {
  s: StageView;
  r: number;
  loss: LossName;
  lr: number;
}

function forwardLines({ s, r, loss }: Ctx, l: number): GuidedLine[] {
  const lv = s.layers[l - 1];
  const W = s.trace_params![`W${l}`] as Matrix;
  const b = s.trace_params![`b${l}`] as number[];
  const aPrev = l === 1 ? s.a0![r] : (s.layers[l - 2].a as Matrix)[r];
  const u = lv.u![r];
  const a = lv.a![r];
  const lines: GuidedLine[] = [
    {
      tex:
        `u${sup(l)} = W${sup(l)} a${sup(l - 1)} + b${sup(l)} = ` +
        `${matTex(W)} ${colTex(aPrev)} + ${colTex(b)} = ${colTex(u)}`,
      quantity: "u",
      values: u,
    },
  ];
  const fx =
    lv.activation === "softmax"
      ? `\\operatorname{softmax}(u${sup(l)}) = \\frac{e^{u_k${sup(l)}}}{\\sum_h e^{u_h${sup(l)}}}`
      : lv.activation === "identity"
        ? `u${sup(l)}`
        : fName(lv.activation, `u${sup(l)}`);
  lines.push({
    tex: `a${sup(l)} = f${sup(l)}(u${sup(l)}) = ${fx} = ${colTex(a)}`,
    quantity: "a",
    values: a,
  });
  if (l === s.L && s.losses) {
    const E = s.losses[r];
    const t = targetVector(s.selection.t[r] as number | number[], a.length);
    if (loss === "cross_entropy") {
      const c = t.findIndex((v) => v === 1);
      const picked = c >= 0 ? `= -\\log a_{${c + 1}}${sup(l)} = -\\log ${fmt(a[c])} ` : "";
      lines.push({
        tex: `E_n = -\\sum_k t_k \\log a_k${sup(l)} ${picked}= ${fmt(E)}`,
        quantity: "E",
        values: E,
      });
    } else {
      const terms = a.map((ak, k) => `(${fmt(ak)} - ${fmt(t[k])})^2`).join(" + ");
      lines.push({
        tex: `E_n = \\tfrac12 \\sum_k (\\hat y_k - y_k)^2 = \\tfrac12 \\big(${terms}\\big) = ${fmt(E)}`,
        quantity: "E",
        values: E,
      });
    }
  }
  return lines;
}

function gradientLines({ s, r }: Ctx, l: number): GuidedLine[] {
  const lv = s.layers[l - 1];
  const aPrev = l === 1 ? s.a0![r] : (s.layers[l - 2].a as Matrix)[r];
  const delta = lv.delta![r];
  const batch = s.m > 1 ? "\\sum_n " : "";
  const product = s.m > 1 ? "" : ` = ${colTex(delta)} ${rowTex(aPrev)}`;
  return [
    {
      tex: `\\frac{\\partial E}{\\partial W${sup(l)}} = ${batch}\\delta${sup(l)} a${supT(l - 1)}${product} = ${matTex(lv.dE_dW!)}`,
      quantity: "dE_dW",
      values: lv.dE_dW!,
    },
    {
      tex: `\\frac{\\partial E}{\\partial b${sup(l)}} = ${batch}\\delta${sup(l)} = ${colTex(lv.dE_db!)}`,
      quantity: "dE_db",
      values: lv.dE_db!,
    },
  ];
}

function backwardLines(ctx: Ctx, l: number): GuidedLine[] {
  const { s, r, loss } = ctx;
  const lv = s.layers[l - 1];
  const delta = lv.delta![r];
  const mPart = s.m > 1 ? `\\frac{1}{${s.m}}` : "";
  const lines: GuidedLine[] = [];
  if (l === s.L) {
    const a = lv.a![r];
    const t = targetVector(s.selection.t[r] as number | number[], a.length);
    const name = loss === "cross_entropy" ? "t" : "y";
    lines.push({
      tex: `\\delta${sup(l)} = ${mPart}(\\hat y - ${name}) = ${mPart}\\Big(${colTex(a)} - ${colTex(t)}\\Big) = ${colTex(delta)}`,
      quantity: "delta",
      values: delta,
    });
  } else {
    const Wn = s.trace_params![`W${l + 1}`] as Matrix;
    const dNext = s.layers[l].delta![r];
    const dE_da = lv.dE_da
      ? lv.dE_da[r]
      : transpose(Wn).map((col) => col.reduce((acc, w, k) => acc + w * dNext[k], 0));
    const u = lv.u![r];
    const fp = lv.f_prime ? lv.f_prime[r] : u.map(() => NaN); // f'(u) from the engine
    lines.push({
      tex:
        `\\frac{\\partial E}{\\partial a${sup(l)}} = W${supT(l + 1)} \\delta${sup(l + 1)} = ` +
        `${matTex(transpose(Wn))} ${colTex(dNext)} = ${colTex(dE_da)}`,
      quantity: "dE_da",
      values: dE_da,
    });
    lines.push({
      tex: `f'(u${sup(l)}) = ${ruleTex(lv.activation, l)} = ${colTex(fp)}`,
      quantity: "f_prime",
      values: fp,
    });
    lines.push({
      tex:
        `\\delta${sup(l)} = f'(u${sup(l)}) \\odot \\frac{\\partial E}{\\partial a${sup(l)}} = ` +
        `${colTex(fp)} \\odot ${colTex(dE_da)} = ${colTex(delta)}`,
      quantity: "delta",
      values: delta,
    });
  }
  return lines.concat(gradientLines(ctx, l));
}

function updateLines({ s, lr }: Ctx): GuidedLine[] {
  const lines: GuidedLine[] = [];
  const old = s.trace_params!;
  const upd = s.update!;
  // momentum or L2 make the applied step differ from -eta * gradient
  let plain = true;
  for (let l = 1; l <= s.L; l++) {
    const g = s.layers[l - 1].dE_db ?? [];
    const d = upd[`b${l}`] as number[];
    if (d.some((v, j) => Math.abs(v + lr * g[j]) > 1e-9 * (1 + Math.abs(v)))) plain = false;
  }
  if (plain)
    lines.push({
      tex:
        `W${sup("l")} \\leftarrow W${sup("l")} - \\eta \\frac{\\partial E}{\\partial W${sup("l")}}, \\qquad ` +
        `b${sup("l")} \\leftarrow b${sup("l")} - \\eta \\frac{\\partial E}{\\partial b${sup("l")}}, \\qquad \\eta = ${fmt(lr)}`,
    });
  for (let l = 1; l <= s.L; l++) {
    const lv = s.layers[l - 1];
    const W = old[`W${l}`] as Matrix;
    const b = old[`b${l}`] as number[];
    const dW = upd[`W${l}`] as Matrix;
    const db = upd[`b${l}`] as number[];
    const Wn = W.map((row, j) => row.map((w, i) => w + dW[j][i]));
    const bn = b.map((v, j) => v + db[j]);
    if (plain) {
      lines.push({
        tex: `W${sup(l)} \\leftarrow ${matTex(W)} - ${fmt(lr)} ${matTex(lv.dE_dW!)} = ${matTex(Wn)}`,
        quantity: `W${l}`,
        values: Wn,
      });
      lines.push({
        tex: `b${sup(l)} \\leftarrow ${colTex(b)} - ${fmt(lr)} ${colTex(lv.dE_db!)} = ${colTex(bn)}`,
        quantity: `b${l}`,
        values: bn,
      });
    } else {
      lines.push({
        tex: `W${sup(l)} \\leftarrow W${sup(l)} + \\Delta W${sup(l)} = ${matTex(W)} + ${matTex(dW)} = ${matTex(Wn)}`,
        quantity: `W${l}`,
        values: Wn,
      });
      lines.push({
        tex: `b${sup(l)} \\leftarrow b${sup(l)} + \\Delta b${sup(l)} = ${colTex(b)} + ${colTex(db)} = ${colTex(bn)}`,
        quantity: `b${l}`,
        values: bn,
      });
    }
  }
  if (!plain)
    lines.push({
      tex: `\\Delta W = -\\eta \\tfrac{\\partial E}{\\partial W} + \\text{momentum and L2 terms}`,
    });
  return lines;
}

/** The guided view of a stage: what was just done, in words and as formulas with numbers. */
export function guidedView(s: StageView | null, loss: LossName, lr: number, row = 0): GuidedView {
  if (!s || !s.a0 || s.phase === "idle") {
    return {
      kind: "idle",
      l: null,
      title: "Ready",
      sentence:
        "Nothing computed yet. Press “Next stage”: the chosen training sample enters as a⁽⁰⁾ and the first layer is computed.",
      lines: [],
    };
  }
  const r = Math.max(0, Math.min(row, s.m - 1));
  const ctx: Ctx = { s, r, loss, lr };
  const L = s.L;
  if (s.phase === "forward") {
    const l = s.forward_done;
    const last = l === L;
    return {
      kind: "forward",
      l,
      title: last ? `Forward: layer ${l} (output) and the error` : `Forward: layer ${l}`,
      sentence: last
        ? `The output layer weighs the previous layer's outputs like any other layer, then ${loss === "cross_entropy" ? "the softmax turns the scores into class probabilities" : "passes them on unchanged (identity)"}; comparing the prediction with the target gives this sample's error Eₙ.`
        : `Each unit of layer ${l} adds up the previous layer's outputs, each multiplied by its weight, plus its bias (that is u), then squashes the sum with the activation f (that is a).`,
      lines: forwardLines(ctx, l),
    };
  }
  if (s.phase === "backward") {
    const l = L - s.backward_done + 1;
    return {
      kind: "backward",
      l,
      title: l === L ? `Backward: layer ${l} (output)` : `Backward: layer ${l}`,
      sentence:
        l === L
          ? `At the output the error signal is simply prediction minus target (the softmax/cross-entropy and identity/½-squared-error pairs were chosen for that). From δ come the gradients of this layer's weights and biases.`
          : `The error signal travels back through the same weights, transposed, to give ∂E/∂a of layer ${l}; multiplying by the slope f′ of each unit at its u gives δ, and from δ the gradients of layer ${l}'s weights and biases.`,
      lines: backwardLines(ctx, l),
    };
  }
  // updated
  return {
    kind: "update",
    l: null,
    title: "Update",
    sentence: `Every weight and bias takes a small step against its gradient (η = ${lr}), so the error on this sample goes down.`,
    lines: s.update && s.trace_params ? updateLines(ctx) : [],
  };
}
