// TeX for one neuron's formulas with the actual numbers substituted (rendered by KaTeX in
// panels/neuron_formula.ts). Names follow the notes: u_j^(l) = sum_i w_ji^(l) a_i^(l-1) + b_j^(l),
// a_j^(l) = f(u_j^(l)), delta_j^(l) = f'(u_j^(l)) sum_k delta_k^(l+1) w_kj^(l+1).
//
// The engine's E is the MEAN of E_n over the m samples of a batch, so the output delta carries
// a factor 1/m (m = 1 for a single sample, where it is left out).

export type LossName = "cross_entropy" | "half_sse";

export interface NeuronNumbers {
  l: number; // layer, 1-based
  j: number; // neuron in layer l, 0-based (shown 1-based)
  L: number; // number of layers
  activation: string; // f of layer l
  loss: LossName;
  m: number; // batch size of the trace
  w: number[]; // W^(l)[j, :]
  b: number;
  aPrev: number[]; // a^(l-1) of the sample
  u: number;
  a: number;
  uLayer?: number[]; // all u^(l) of the sample (softmax)
  // backward (present once back propagation reached layer l)
  delta?: number;
  dE_da?: number;
  target?: number; // t_j (one-hot) or y_j of the sample, output layer only
  nextDelta?: number[]; // delta^(l+1)_k
  nextW?: number[]; // w_kj^(l+1) for every k
  dE_dW?: number[]; // dE/dW^(l)[j, :]
  dE_db?: number;
  fPrime?: number; // f'(u_j) of the sample, from the engine
  dW?: number[]; // applied update of W^(l)[j, :]
  db?: number;
  lr?: number;
}

/** A number as TeX with 4 significant digits (scientific form written with \times 10^{}). */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return x > 0 ? "\\infty" : x < 0 ? "-\\infty" : "\\text{NaN}";
  if (x === 0) return "0";
  const ax = Math.abs(x);
  if (ax >= 1e-3 && ax < 1e5) {
    let s = x.toPrecision(digits);
    if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
    return s;
  }
  const [mant, exp] = x.toExponential(digits - 1).split("e");
  const m = mant.includes(".") ? mant.replace(/0+$/, "").replace(/\.$/, "") : mant;
  return `${m} \\times 10^{${Number(exp)}}`;
}

/** A factor in a product: negative numbers in parentheses. */
export function factor(x: number): string {
  const s = fmt(x);
  return x < 0 || s.includes("\\times") ? `(${s})` : s;
}

/** a + b where b may be negative: "a - |b|". */
function plus(terms: string[], values: number[]): string {
  let out = "";
  terms.forEach((t, i) => {
    if (i === 0) out = t;
    else out += values[i] < 0 && !t.startsWith("(") ? ` - ${t.replace(/^-/, "")}` : ` + ${t}`;
  });
  return out;
}

const MAX_TERMS = 6; // longer sums are shortened with \cdots

function sumOfProducts(ws: number[], as: number[]): string {
  const n = ws.length;
  const idx = n <= MAX_TERMS ? [...Array(n).keys()] : [0, 1, 2, n - 2, n - 1];
  const parts = idx.map((i) => `${factor(ws[i])} \\cdot ${factor(as[i])}`);
  if (n > MAX_TERMS) parts.splice(3, 0, "\\cdots");
  return parts.join(" + ");
}

const sup = (l: number) => `^{(${l})}`;

/** TeX name of f applied to x, e.g. \tanh(x). */
export function fName(activation: string, x: string): string {
  switch (activation) {
    case "tanh":
      return `\\tanh(${x})`;
    case "sigmoid":
      return `\\sigma(${x})`;
    case "relu":
      return `\\max(0, ${x})`;
    case "leaky_relu":
      return `\\operatorname{lrelu}(${x})`;
    case "softplus":
      return `\\log(1 + e^{${x}})`;
    case "identity":
      return x;
    default:
      return `${activation}(${x})`;
  }
}

/** The rule of f'(u) for an elementwise activation, as TeX with the numbers of u and a. Its
 * value comes from the engine (the stage's f_prime), so it is computed in one place only. */
export function derivativeRule(activation: string, u: number, a: number, alpha = 0.01): string {
  switch (activation) {
    case "tanh":
      return `1 - (a_j)^2 = 1 - ${factor(a)}^2`;
    case "sigmoid":
      return `a_j (1 - a_j) = ${factor(a)} \\cdot (1 - ${factor(a)})`;
    case "relu":
      return `[u_j > 0]`;
    case "leaky_relu":
      return u > 0 ? `1 \\; (u_j > 0)` : `\\alpha = ${fmt(alpha)} \\; (u_j \\le 0)`;
    case "softplus":
      return `\\sigma(u_j) = \\sigma(${fmt(u)})`;
    default:
      return "1";
  }
}

export interface FormulaLines {
  forward: string[];
  backward: string[];
  gradient: string[];
  update: string[];
}

/** All formula lines for one neuron (empty groups for stages not reached yet). */
export function neuronFormulas(n: NeuronNumbers): FormulaLines {
  const { l, L } = n;
  const j = n.j + 1;
  const out: FormulaLines = { forward: [], backward: [], gradient: [], update: [] };
  const prev = `a_i${sup(l - 1)}`;
  // forward: u
  const sum = sumOfProducts(n.w, n.aPrev);
  out.forward.push(
    `u_{${j}}${sup(l)} = \\sum_i w_{${j}i}${sup(l)} ${prev} + b_{${j}}${sup(l)} = ` +
      `${plus([sum, factor(n.b)], [1, n.b])} = ${fmt(n.u)}`,
  );
  // forward: a
  if (n.activation === "softmax" && n.uLayer) {
    const den = n.uLayer.map((v) => `e^{${fmt(v)}}`).join(" + ");
    out.forward.push(
      `a_{${j}}${sup(l)} = \\frac{e^{u_{${j}}}}{\\sum_k e^{u_k}} = ` +
        `\\frac{e^{${fmt(n.u)}}}{${den}} = ${fmt(n.a)}`,
    );
  } else {
    out.forward.push(
      `a_{${j}}${sup(l)} = f(u_{${j}}${sup(l)}) = ${fName(n.activation, fmt(n.u))} = ${fmt(n.a)}`,
    );
  }
  if (n.delta === undefined) return out;
  const mPart = n.m > 1 ? `\\frac{1}{${n.m}}` : "";
  // backward: delta
  if (l === L && n.target !== undefined) {
    if (n.loss === "cross_entropy") {
      out.backward.push(
        `\\delta_{${j}}${sup(l)} = ${mPart}(a_{${j}}${sup(l)} - t_{${j}}) = ` +
          `${mPart}(${fmt(n.a)} - ${fmt(n.target)}) = ${fmt(n.delta)}`,
      );
    } else if (n.activation === "identity") {
      out.backward.push(
        `\\delta_{${j}}${sup(l)} = ${mPart}(a_{${j}}${sup(l)} - y_{${j}}) = ` +
          `${mPart}(${fmt(n.a)} - ${factor(n.target)}) = ${fmt(n.delta)}`,
      );
    } else {
      const rule = derivativeRule(n.activation, n.u, n.a);
      const d = n.fPrime ?? NaN;
      out.backward.push(
        `\\delta_{${j}}${sup(l)} = \\frac{\\partial E}{\\partial a_{${j}}} f'(u_{${j}}) = ` +
          `${mPart}(${fmt(n.a)} - ${factor(n.target)}) \\cdot ${factor(d)} = ${fmt(n.delta)}`,
      );
      out.backward.push(`f'(u_{${j}}) = ${rule} = ${fmt(d)}`);
    }
  } else if (n.nextDelta && n.nextW) {
    const rule = derivativeRule(n.activation, n.u, n.a);
    const d = n.fPrime ?? NaN;
    const s = n.nextDelta.reduce((acc, dk, k) => acc + dk * n.nextW![k], 0);
    out.backward.push(
      `\\frac{\\partial E}{\\partial a_{${j}}${sup(l)}} = \\sum_k \\delta_k${sup(l + 1)} w_{k${j}}${sup(l + 1)} = ` +
        `${sumOfProducts(n.nextDelta, n.nextW)} = ${fmt(n.dE_da ?? s)}`,
    );
    out.backward.push(`f'(u_{${j}}${sup(l)}) = ${rule} = ${fmt(d)}`);
    out.backward.push(
      `\\delta_{${j}}${sup(l)} = f'(u_{${j}}${sup(l)}) \\sum_k \\delta_k${sup(l + 1)} w_{k${j}}${sup(l + 1)} = ` +
        `${factor(d)} \\cdot ${factor(n.dE_da ?? s)} = ${fmt(n.delta)}`,
    );
  }
  // gradients
  if (n.dE_dW) {
    const batch = n.m > 1 ? "\\sum_n " : "";
    const shown = n.dE_dW
      .slice(0, MAX_TERMS)
      .map((v) => fmt(v))
      .join(",\\ ");
    out.gradient.push(
      `\\frac{\\partial E}{\\partial w_{${j}i}${sup(l)}} = ${batch}\\delta_{${j}}${sup(l)} a_i${sup(l - 1)} = ` +
        `(${shown}${n.dE_dW.length > MAX_TERMS ? ",\\ \\ldots" : ""})_i`,
    );
  }
  if (n.dE_db !== undefined) {
    out.gradient.push(
      `\\frac{\\partial E}{\\partial b_{${j}}${sup(l)}} = ${n.m > 1 ? "\\sum_n " : ""}\\delta_{${j}}${sup(l)} = ${fmt(n.dE_db)}`,
    );
  }
  if (n.db !== undefined && n.dE_db !== undefined) {
    const plain =
      n.lr !== undefined && Math.abs(n.db + n.lr * n.dE_db) <= 1e-12 * (1 + Math.abs(n.db));
    out.update.push(
      plain
        ? `\\Delta b_{${j}}${sup(l)} = -\\eta \\frac{\\partial E}{\\partial b_{${j}}${sup(l)}} = ` +
            `-${fmt(n.lr!)} \\cdot ${factor(n.dE_db)} = ${fmt(n.db)}`
        : `\\Delta b_{${j}}${sup(l)} = ${fmt(n.db)} \\quad \\text{(SGD with momentum / L2)}`,
    );
    if (n.dW) {
      const shown = n.dW
        .slice(0, MAX_TERMS)
        .map((v) => fmt(v))
        .join(",\\ ");
      out.update.push(
        `\\Delta w_{${j}i}${sup(l)} = (${shown}${n.dW.length > MAX_TERMS ? ",\\ \\ldots" : ""})_i`,
      );
    }
  }
  return out;
}
