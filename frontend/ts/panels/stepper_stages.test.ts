import { describe, expect, it } from "vitest";
import { buildStages, type TraceT } from "./stepper_stages";

// A 2-1-1 regression network written out by hand: W1 = [[0.5, -1]], b1 = [0.25], identity
// hidden layer; W2 = [[2]], b2 = [0]; x = (2, 1), y = 1.
const trace: TraceT = {
  x: [2, 1],
  y: [1],
  loss_name: "half_sse",
  lr: 0.1,
  y_hat: [0.5],
  loss: 0.125,
  loss_after: 0.02,
  layers: [
    {
      l: 1,
      activation: "identity",
      W: [[0.5, -1]],
      b: [0.25],
      u: [0.25],
      a: [0.25],
      dE_da: [-1],
      delta: [-1],
      dE_dW: [[-2, -1]],
      dE_db: [-1],
      update_W: [[0.2, 0.1]],
      W_after: [[0.7, -0.9]],
      b_after: [0.35],
    },
    {
      l: 2,
      activation: "identity",
      W: [[2]],
      b: [0],
      u: [0.5],
      a: [0.5],
      dE_da: [-0.5],
      delta: [-0.5],
      dE_dW: [[-0.125]],
      dE_db: [-0.5],
      update_W: [[0.0125]],
      W_after: [[2.0125]],
      b_after: [0.05],
    },
  ],
};

describe("stepper stages", () => {
  it("forward: u and a per layer, then the error", () => {
    const st = buildStages(trace, "forward");
    expect(st).toHaveLength(5);
    expect(st[0].lines[0]).toBe("u1 = 0.5·2 + (−1)·1 + 0.25 = 0.25");
    expect(st[4].title).toBe("Prediction and error");
    expect(st[4].lines[1]).toContain("= 0.125");
  });

  it("backward: output delta, dE/da through W2, hidden delta, gradients, update", () => {
    const st = buildStages(trace, "backward");
    const titles = st.map((s) => s.title);
    expect(titles[1]).toContain("output layer 2");
    expect(titles).toContain("Backward, layer 1: ∂E/∂a from the layer above");
    const dEda = st.find((s) => s.title.startsWith("Backward, layer 1: ∂E/∂a"))!;
    expect(dEda.lines[0]).toBe("∂E/∂a1 = (−0.5)·2 = -1");
    const grads = st.find((s) => s.title === "Gradients of layer 1")!;
    expect(grads.lines[0]).toContain("(−1)·2 = -2");
    expect(st[st.length - 1].lines.at(-1)).toBe("error on this sample: 0.125 → 0.02");
  });
});

describe("gradient check line", () => {
  it("shows the finite difference next to back propagation", () => {
    const t = {
      ...trace,
      gradient_checks: [{ l: 1, weight: "w_11", backprop: -2, finite_difference: -2.0000001 }],
    };
    const st = buildStages(t, "backward").find((s) => s.title === "Gradients of layer 1")!;
    expect(st.lines.at(-1)).toBe(
      "check: (E(w11 + h) − E(w11 − h)) / 2h = -2, back propagation gives -2",
    );
  });
});
