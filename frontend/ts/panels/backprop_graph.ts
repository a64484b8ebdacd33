// Back propagation as a computational graph: one sigmoid unit, its values flowing forward and
// the chain rule stepped node by node backwards (numbers from the server), then the same
// numbers in the layer formulas delta = dE/da f'(u), dE/dw_i = delta x_i, dE/db = delta.
import * as d3 from "d3";
import { fmt } from "./lesson_math";
import { button, h, lessonApi, statusLine } from "./lesson_ui";
import type { LessonResult } from "./lesson_ui";

type GraphResult = LessonResult<"backprop_graph">;

// column (left to right, forward order) and row of each node
const POS: Record<string, [number, number]> = {
  x1: [0, 0],
  w1: [0, 1],
  x2: [0, 2],
  w2: [0, 3],
  b: [0, 4],
  m1: [1, 0.5],
  m2: [1, 2.5],
  u: [2, 2],
  a: [3, 2],
  E: [4, 2],
};

export function mountBackpropGraph(host: HTMLElement): void {
  let res: GraphResult | null = null;
  let step = 0; // how many backward steps are shown
  // on a phone the graph scrolls sideways inside this region, which the keyboard can focus
  const graph = h("div", {
    class: "bp-graph",
    "data-testid": "bp-graph",
    tabindex: "0",
    role: "region",
    "aria-label": "computational graph (scrolls sideways on a narrow screen)",
  });
  const rule = h("p", { class: "sum-line", "aria-live": "polite", "data-testid": "bp-rule" });
  const formulas = h("div", { "data-testid": "bp-formulas" });
  const label = h("span", { class: "step-label", "data-testid": "bp-step" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      button("◀ Back one node", () => go(step - 1)),
      button("Next node ▶", () => go(step + 1), { "data-testid": "bp-next" }),
      button("Start again", () => go(0)),
      label,
    ),
    graph,
    rule,
    formulas,
  );
  const status = statusLine(host);

  function draw(): void {
    if (!res) return;
    const W = 620;
    const H = 250;
    const x = (c: number) => 60 + c * 125;
    const y = (r: number) => 30 + r * 47;
    const grads = new Map(res.backward.slice(0, step).map((s) => [s.node, s.grad]));
    const current = step > 0 ? res.backward[step - 1] : null;
    graph.replaceChildren();
    const svg = d3
      .select(graph)
      .append("svg")
      .attr("viewBox", `0 0 ${W} ${H}`)
      .attr("width", "100%")
      .attr("style", `max-width:${W}px`)
      .attr("role", "img")
      .attr(
        "aria-label",
        `computational graph; ${res.nodes
          .map(
            (n) =>
              `${n.label} = ${fmt(n.value, 4)}${grads.has(n.id) ? `, gradient ${fmt(grads.get(n.id)!, 4)}` : ""}`,
          )
          .join("; ")}`,
      );
    for (const [a, b] of res.edges) {
      const [ca, ra] = POS[a];
      const [cb, rb] = POS[b];
      const active = current && current.node === a && current.from === b;
      svg
        .append("line")
        .attr("x1", x(ca) + 45)
        .attr("y1", y(ra))
        .attr("x2", x(cb) - 45)
        .attr("y2", y(rb))
        .attr("stroke", active ? "#d9480f" : "#8a94a3")
        .attr("stroke-width", active ? 3 : 1.5);
    }
    for (const n of res.nodes) {
      const [c, r] = POS[n.id];
      const g = svg.append("g").attr("transform", `translate(${x(c)},${y(r)})`);
      const isCurrent = current?.node === n.id;
      g.append("rect")
        .attr("x", -45)
        .attr("y", -19)
        .attr("width", 90)
        .attr("height", 38)
        .attr("rx", 6)
        .attr("fill", isCurrent ? "#fde2c4" : n.kind === "weight" ? "#e8f1fb" : "#fff")
        .attr("stroke", isCurrent ? "#d9480f" : "#5b6675");
      g.append("text")
        .attr("text-anchor", "middle")
        .attr("y", -4)
        .attr("font-size", 11)
        .text(`${n.label} = ${fmt(n.value, 3)}`);
      if (grads.has(n.id)) {
        g.append("text")
          .attr("text-anchor", "middle")
          .attr("y", 12)
          .attr("font-size", 11)
          .attr("fill", "#b3261e")
          .text(`∂E = ${fmt(grads.get(n.id)!, 4)}`);
      }
    }
  }

  function go(s: number): void {
    if (!res) return;
    step = Math.max(0, Math.min(res.backward.length, s));
    label.textContent = `node ${step} of ${res.backward.length}`;
    rule.textContent =
      step === 0
        ? `Forward pass done: E = ${fmt(res.layer.E, 4)}. Press “Next node” to send the gradient back, one node at a time.`
        : res.backward[step - 1].rule;
    formulas.replaceChildren();
    if (step === res.backward.length) {
      const L = res.layer;
      formulas.append(
        h("h4", { text: "The same numbers in the layer formulas (computed by nnweb's engine)" }),
        h("p", {
          text: `δ = ∂E/∂a · f′(u) = ${fmt(L.dE_da, 4)} · σ′(${fmt(L.u, 3)}) = ${fmt(L.delta, 4)}`,
        }),
        h("p", {
          text: `∂E/∂w = δ · x = (${L.dE_dW.map((v) => fmt(v, 4)).join(", ")}),   ∂E/∂b = δ = ${fmt(L.dE_db, 4)}`,
        }),
      );
    }
    draw();
  }

  lessonApi("backprop_graph", {})
    .then((r) => {
      res = r;
      go(0);
      status.ok();
    })
    .catch((e) => status.error(e));
}
