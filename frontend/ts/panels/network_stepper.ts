// Guided forward / back propagation through a 2-3-K network: one stage at a time, the notes'
// formula for the stage, and the stage's numbers (from the engine's Trace via the lessons API).
import * as d3 from "d3";
import { fmt } from "./lesson_math";
import { buildStages, type Stage, type TraceT } from "./stepper_stages";
import { button, fitWidth, h, lessonApiAs, select, statusLine } from "./lesson_ui";
import { renderMathElement } from "./math";

/** Text of the diagram in CSS px: drawn at its own width (fitWidth), the SVG is never scaled. */
const LABEL_PX = 12;
const VALUE_PX = 11;

function drawNet(host: HTMLElement, t: TraceT, focus: Stage["focus"]) {
  host.replaceChildren();
  const sizes = [t.x.length, ...t.layers.map((l) => l.a.length)];
  const W = fitWidth(host, 420);
  const H = 200;
  const svg = d3
    .select(host)
    .append("svg")
    .attr("viewBox", `0 0 ${W} ${H}`)
    .attr("width", W)
    .attr("height", H)
    .attr("role", "img")
    .attr("aria-label", "network diagram");
  const x = (l: number) => 40 + (l * (W - 80)) / (sizes.length - 1);
  const y = (l: number, j: number) => H / 2 + (j - (sizes[l] - 1) / 2) * 52;
  for (let l = 1; l < sizes.length; l++) {
    const lt = t.layers[l - 1];
    for (let j = 0; j < sizes[l]; j++)
      for (let i = 0; i < sizes[l - 1]; i++) {
        const w = lt.W[j][i];
        svg
          .append("line")
          .attr("x1", x(l - 1))
          .attr("y1", y(l - 1, i))
          .attr("x2", x(l))
          .attr("y2", y(l, j))
          .attr("stroke", w >= 0 ? "#2a7ab9" : "#c0392b")
          .attr("stroke-width", Math.min(4, 0.5 + Math.abs(w) * 1.5))
          .attr("opacity", focus.layer === l || focus.kind === "update" ? 0.9 : 0.25);
      }
  }
  sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const val =
        l === 0
          ? t.x[j]
          : focus.kind === "bwd" && focus.layer <= l
            ? t.layers[l - 1].delta[j]
            : t.layers[l - 1].a[j];
      const active = focus.layer === l;
      svg
        .append("circle")
        .attr("cx", x(l))
        .attr("cy", y(l, j))
        .attr("r", 19)
        .attr("fill", active ? (focus.kind === "bwd" ? "#fde2e0" : "#fde9a8") : "#fff")
        .attr("stroke", "#333");
      svg
        .append("text")
        .attr("x", x(l))
        .attr("y", y(l, j))
        .attr("dy", "0.35em")
        .attr("text-anchor", "middle")
        .attr("font-size", VALUE_PX)
        .text(fmt(val, 2));
    }
    svg
      .append("text")
      .attr("x", x(l))
      .attr("y", H - 4)
      .attr("text-anchor", "middle")
      .attr("font-size", LABEL_PX)
      .text(l === 0 ? "input a⁽⁰⁾" : `layer ${l}`);
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
  const xIn = h("input", {
    type: "text",
    value: "0.5, -1",
    "aria-label": "input x (two numbers)",
    size: 8,
  });
  const yIn = h("input", { type: "text", value: "1", "aria-label": "target y", size: 4 });
  xIn.addEventListener("change", () => load());
  yIn.addEventListener("change", () => load());
  host.classList.add("stepper");
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "activation",
        [
          ["sigmoid", "sigmoid"],
          ["tanh", "tanh"],
          ["relu", "ReLU"],
        ],
        activation,
        (v) => {
          activation = v;
          load();
        },
      ),
      select(
        "task",
        [
          ["cross_entropy", "classification (softmax, cross-entropy)"],
          ["half_sse", "regression (identity, ½ squared error)"],
        ],
        loss,
        (v) => {
          loss = v;
          yIn.value = v === "cross_entropy" ? "1" : "0.7";
          load();
        },
      ),
      h("label", { class: "control" }, "x ", xIn),
      h("label", { class: "control" }, "y ", yIn),
      button("New random weights", () => {
        seed += 1;
        load();
      }),
    ),
    h(
      "div",
      { class: "panel-controls" },
      button("◀ Back", () => go(i - 1)),
      button("Next stage ▶", () => go(i + 1), { "data-testid": "stage-next" }),
      button("Restart", () => go(0)),
      counter,
    ),
    diagram,
    title,
    formula,
    lines,
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
      trace = await lessonApiAs<TraceT>("network_trace", { x, y, activation, loss, seed, lr: 0.5 });
      stages = buildStages(trace, mode);
      go(0);
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  load();
}
