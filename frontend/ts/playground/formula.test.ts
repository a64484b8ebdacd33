import { describe, expect, it } from "vitest";
import { fmt, neuronFormulas, type NeuronNumbers } from "./formula";

describe("number formatting", () => {
  it("writes 4 significant digits and scientific notation as TeX", () => {
    expect(fmt(0.123456)).toBe("0.1235");
    expect(fmt(-2)).toBe("-2");
    expect(fmt(0)).toBe("0");
    expect(fmt(1.5e-6)).toBe("1.5 \\times 10^{-6}");
    expect(fmt(123456789)).toBe("1.235 \\times 10^{8}");
  });
});

describe("neuron formulas", () => {
  const w = [0.5, -0.25];
  const aPrev = [1, 2];
  const b = 0.1;
  const u = 0.5 * 1 - 0.25 * 2 + 0.1;
  const a = Math.tanh(u);
  const base: NeuronNumbers = {
    l: 1,
    j: 0,
    L: 2,
    activation: "tanh",
    loss: "cross_entropy",
    m: 1,
    w,
    b,
    aPrev,
    u,
    a,
  };

  it("substitutes the numbers of u = sum w a + b and a = f(u)", () => {
    const f = neuronFormulas(base);
    expect(f.forward[0]).toContain("u_{1}^{(1)} = \\sum_i w_{1i}^{(1)} a_i^{(0)} + b_{1}^{(1)}");
    expect(f.forward[0]).toContain("0.5 \\cdot 1 + (-0.25) \\cdot 2 + 0.1 = 0.1");
    expect(f.forward[1]).toBe(`a_{1}^{(1)} = f(u_{1}^{(1)}) = \\tanh(0.1) = ${fmt(a)}`);
    expect(f.backward).toEqual([]);
  });

  it("writes delta of a hidden neuron as f'(u) times the sum over the next layer", () => {
    const nextDelta = [0.2, -0.3];
    const nextW = [1.5, 0.5];
    const dE_da = 0.2 * 1.5 - 0.3 * 0.5;
    const d = 1 - a * a; // tanh'(u), as the engine sends it
    const f = neuronFormulas({
      ...base,
      fPrime: d,
      delta: d * dE_da,
      dE_da,
      nextDelta,
      nextW,
      dE_dW: [d * dE_da, 2 * d * dE_da],
      dE_db: d * dE_da,
    });
    expect(f.backward[0]).toContain("0.2 \\cdot 1.5 + (-0.3) \\cdot 0.5 = 0.15");
    expect(f.backward[1]).toContain(`1 - (a_j)^2 = 1 - ${fmt(a)}^2 = ${fmt(1 - a * a)}`);
    expect(f.backward[2]).toContain(`= ${fmt(d * dE_da)}`);
    expect(f.gradient[1]).toContain(`= ${fmt(d * dE_da)}`);
  });

  it("writes the output delta of softmax + cross-entropy and identity + half SSE", () => {
    const ce = neuronFormulas({
      ...base,
      l: 2,
      L: 2,
      activation: "softmax",
      uLayer: [u, 0],
      delta: a - 1,
      target: 1,
    });
    expect(ce.backward[0]).toBe(
      `\\delta_{1}^{(2)} = (a_{1}^{(2)} - t_{1}) = (${fmt(a)} - 1) = ${fmt(a - 1)}`,
    );
    expect(ce.forward[1]).toContain("\\frac{e^{u_{1}}}{\\sum_k e^{u_k}}");
    const sse = neuronFormulas({
      ...base,
      l: 2,
      L: 2,
      activation: "identity",
      loss: "half_sse",
      m: 4,
      delta: (u - 0.3) / 4,
      target: 0.3,
    });
    expect(sse.backward[0]).toContain("\\frac{1}{4}(a_{1}^{(2)} - y_{1})");
    expect(sse.backward[0]).toContain(`= ${fmt((u - 0.3) / 4)}`);
  });

  it("shows the plain SGD update with the learning rate", () => {
    const f = neuronFormulas({
      ...base,
      delta: 0.2,
      nextDelta: [1],
      nextW: [0.2],
      dE_db: 0.2,
      db: -0.02,
      lr: 0.1,
      dW: [-0.02, -0.04],
      dE_dW: [0.2, 0.4],
    });
    expect(f.update[0]).toContain("-0.1 \\cdot 0.2 = -0.02");
  });
});
