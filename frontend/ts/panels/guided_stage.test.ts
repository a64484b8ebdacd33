import { describe, expect, it } from "vitest";
import type { StageView } from "../playground/types";
import { colTex, embedMode, guidedMode, guidedView, matTex, targetVector } from "./guided_stage";

// A 2-2-2 network (tanh hidden, softmax output) on one sample, numbers computed here.
const W1 = [
  [0.5, -0.25],
  [1, 0.5],
];
const b1 = [0.1, -0.2];
const W2 = [
  [0.3, -0.6],
  [-0.4, 0.2],
];
const b2 = [0, 0.05];
const x = [1, 2];
const u1 = W1.map((r, j) => r[0] * x[0] + r[1] * x[1] + b1[j]);
const a1 = u1.map(Math.tanh);
const u2 = W2.map((r, j) => r[0] * a1[0] + r[1] * a1[1] + b2[j]);
const ex = u2.map(Math.exp);
const a2 = ex.map((e) => e / (ex[0] + ex[1]));
const t = [0, 1]; // class 1
const E = -Math.log(a2[1]);
const d2 = a2.map((v, k) => v - t[k]);
const dE_da1 = [0, 1].map((j) => W2[0][j] * d2[0] + W2[1][j] * d2[1]);
const d1 = dE_da1.map((g, j) => g * (1 - a1[j] * a1[j]));
const outer = (d: number[], a: number[]) => d.map((dj) => a.map((ai) => dj * ai));

function stage(phase: StageView["phase"], fwd: number, bwd: number): StageView {
  const layers: StageView["layers"] = [
    { l: 1, activation: "tanh", n_in: 2, n_out: 2 },
    { l: 2, activation: "softmax", n_in: 2, n_out: 2 },
  ];
  if (fwd >= 1) Object.assign(layers[0], { u: [u1], a: [a1], f_prime: [a1.map((v) => 1 - v * v)] });
  if (fwd >= 2) Object.assign(layers[1], { u: [u2], a: [a2] });
  if (bwd >= 1)
    Object.assign(layers[1], { delta: [d2], dE_da: null, dE_dW: outer(d2, a1), dE_db: d2 });
  if (bwd >= 2)
    Object.assign(layers[0], { delta: [d1], dE_da: [dE_da1], dE_dW: outer(d1, x), dE_db: d1 });
  const s: StageView = {
    type: "stage",
    action: phase,
    phase,
    l: null,
    L: 2,
    forward_done: fwd,
    backward_done: bwd,
    next: "forward",
    iteration: 0,
    epoch: 0,
    selection: { kind: "sample", indices: [3], x: [x], t: [1] },
    m: 1,
    layers,
    a0: [x],
    trace_params: { W1, b1, W2, b2 },
  };
  if (fwd === 2) {
    s.loss = E;
    s.losses = [E];
  }
  return s;
}

describe("query flags", () => {
  it("reads ?guided and ?embed", () => {
    expect(guidedMode("?guided=forward")).toBe("forward");
    expect(guidedMode("guided=backward&embed=1")).toBe("backward");
    expect(guidedMode("?guided=1")).toBe("all");
    expect(guidedMode("?dataset=xor")).toBeNull();
    expect(guidedMode("?guided=0")).toBeNull();
    expect(embedMode("?guided=1&embed=1")).toBe(true);
    expect(embedMode("?guided=1")).toBe(false);
  });
});

describe("TeX helpers", () => {
  it("writes vectors and matrices, shortening long ones", () => {
    expect(colTex([1, -0.5])).toBe("\\begin{pmatrix} 1 \\\\ -0.5 \\end{pmatrix}");
    expect(
      matTex([
        [1, 2],
        [3, 4],
      ]),
    ).toBe("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}");
    const long = colTex(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(long).toContain("\\vdots");
    expect(long).toContain("20");
    expect(long).not.toContain(" 10 ");
  });
  it("turns a class index into a one-hot target", () => {
    expect(targetVector(2, 3)).toEqual([0, 0, 1]);
    expect(targetVector([0.5], 1)).toEqual([0.5]);
  });
});

describe("guided stages", () => {
  it("is idle before the first stage", () => {
    const v = guidedView(null, "cross_entropy", 0.5);
    expect(v.kind).toBe("idle");
    expect(v.lines).toEqual([]);
  });

  it("forward layer 1: u = W a + b and a = f(u) for the whole layer", () => {
    const v = guidedView(stage("forward", 1, 0), "cross_entropy", 0.5);
    expect(v.kind).toBe("forward");
    expect(v.l).toBe(1);
    expect(v.sentence.length).toBeGreaterThan(20);
    const [u, a] = v.lines;
    expect(u.tex).toMatch(/^u\^\{\(1\)\} = W\^\{\(1\)\} a\^\{\(0\)\} \+ b\^\{\(1\)\} = /);
    expect(u.values).toEqual(u1);
    expect(u.tex).toContain(colTex(u1));
    expect(a.tex).toContain("\\tanh(u^{(1)})");
    expect(a.values).toEqual(a1);
    expect(v.lines).toHaveLength(2);
  });

  it("forward output layer: softmax and the cross-entropy E_n", () => {
    const v = guidedView(stage("forward", 2, 0), "cross_entropy", 0.5);
    expect(v.lines.map((l) => l.quantity)).toEqual(["u", "a", "E"]);
    expect(v.lines[1].tex).toContain("\\operatorname{softmax}");
    expect(v.lines[2].tex).toContain("-\\log a_{2}^{(2)}");
    expect(v.lines[2].values).toBeCloseTo(E, 12);
  });

  it("regression: E_n is half the squared error", () => {
    const s = stage("forward", 2, 0);
    s.layers[1].activation = "identity";
    s.selection.t = [[0.25, 1]];
    const v = guidedView(s, "half_sse", 0.5);
    expect(v.lines[1].tex).toContain("a^{(2)} = f^{(2)}(u^{(2)}) = u^{(2)}");
    expect(v.lines[2].tex).toContain("\\tfrac12");
  });

  it("backward at the output: delta = y_hat - t, then the gradients", () => {
    const v = guidedView(stage("backward", 2, 1), "cross_entropy", 0.5);
    expect(v.kind).toBe("backward");
    expect(v.l).toBe(2);
    expect(v.lines.map((l) => l.quantity)).toEqual(["delta", "dE_dW", "dE_db"]);
    expect(v.lines[0].tex).toContain("(\\hat y - t)");
    expect(v.lines[0].tex).toContain(colTex([0, 1]));
    expect(v.lines[0].values).toEqual(d2);
    expect(v.lines[1].tex).toContain("\\delta^{(2)} a^{(1)\\top}");
    expect(v.lines[1].values).toEqual(outer(d2, a1));
  });

  it("backward through a hidden layer: W^T delta, f' and the elementwise product", () => {
    const v = guidedView(stage("backward", 2, 2), "cross_entropy", 0.5);
    expect(v.l).toBe(1);
    expect(v.lines.map((l) => l.quantity)).toEqual(["dE_da", "f_prime", "delta", "dE_dW", "dE_db"]);
    expect(v.lines[0].tex).toContain("W^{(2)\\top} \\delta^{(2)}");
    expect(v.lines[0].tex).toContain(
      matTex([
        [0.3, -0.4],
        [-0.6, 0.2],
      ]),
    );
    expect(v.lines[1].tex).toContain("1 - a^{(1)} \\odot a^{(1)}");
    (v.lines[1].values as number[]).forEach((fp, j) => expect(fp).toBeCloseTo(1 - a1[j] ** 2, 12));
    expect(v.lines[2].tex).toContain("\\odot");
    expect(v.lines[2].values).toEqual(d1);
  });

  it("update: W <- W - eta dE/dW with the new values", () => {
    const s = stage("updated", 2, 2);
    const lr = 0.5;
    s.update = {
      W1: outer(d1, x).map((r) => r.map((g) => -lr * g)),
      b1: d1.map((g) => -lr * g),
      W2: outer(d2, a1).map((r) => r.map((g) => -lr * g)),
      b2: d2.map((g) => -lr * g),
    };
    const v = guidedView(s, "cross_entropy", lr);
    expect(v.kind).toBe("update");
    expect(v.lines.map((l) => l.quantity)).toEqual([undefined, "W1", "b1", "W2", "b2"]);
    expect(v.lines[0].tex).toContain("W^{(l)} \\leftarrow W^{(l)} - \\eta");
    expect(v.lines[1].tex).toContain(`W^{(1)} \\leftarrow ${matTex(W1)} - 0.5`);
    expect((v.lines[4].values as number[])[1]).toBeCloseTo(b2[1] - lr * d2[1], 12);
  });

  it("update with momentum shows the applied step instead", () => {
    const s = stage("updated", 2, 2);
    s.update = {
      W1: [
        [0, 0],
        [0, 0],
      ],
      b1: [1, 1],
      W2: [
        [0, 0],
        [0, 0],
      ],
      b2: [1, 1],
    };
    const v = guidedView(s, "cross_entropy", 0.5);
    expect(v.lines[0].tex).toContain("\\Delta W^{(1)}");
  });
});
