// Network diagram (d3): neurons coloured by a or u of the chosen sample (δ during back
// propagation), edges by the sign and size of w_ji (∂E/∂w_ji during back propagation), the
// current stage's layer highlighted. Every neuron carries its numbers in data-u/-a/-delta and
// every edge its weight now in data-w (the session's W, not the traced one). Neurons are
// buttons (click, Enter or Space); the edges are one tab stop, arrow keys move along them and
// Enter edits the focused one.
import * as d3 from "d3";
import { fmt4, fmtShort, textOn } from "../playground/format";
import type { LayerView, Params, StageView } from "../playground/types";

export interface DiagramInput {
  sizes: number[];
  activations: string[];
  inputLabels: string[];
  params: Params;
  stage: StageView | null;
  colorBy: "a" | "u";
  sampleRow: number;
}

export interface DiagramCallbacks {
  onNeuron?: (l: number, j: number) => void;
  onEdge?: (l: number, j: number, i: number, w: number, at: { x: number; y: number }) => void;
  /** Pointer or focus on a neuron (null when it leaves). */
  onHover?: (l: number | null, j: number | null) => void;
}

interface NodeDatum {
  l: number;
  j: number;
  x: number;
  y: number;
  value: number | null;
  /** the quantity the circle's colour and number show */
  valueName: "u" | "a" | "δ";
  u: number | null;
  a: number | null;
  delta: number | null;
  label: string;
}

interface EdgeDatum {
  l: number;
  j: number;
  i: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  w: number;
  g: number | null;
}

const fmt = fmt4;
const full = (x: number | null) => (x === null ? "" : String(x));

function pick(m: number[][] | undefined, r: number, j: number): number | null {
  if (!m || !m[r]) return null;
  const v = m[r][j];
  return v === undefined || v === null ? null : v;
}

/** Set each attribute only where its value changed. While training plays the diagram is redrawn
 * every animation frame, and setting an SVG attribute, even to the value it has, makes the
 * browser restyle that element again (and lay it out, for its geometry). */
function setChanged<E extends Element, D>(
  sel: d3.Selection<E, D, d3.BaseType, unknown>,
  attrs: Record<string, (d: D) => string | number>,
): void {
  sel.each(function (d) {
    for (const name in attrs) {
      const v = String(attrs[name](d));
      if (this.getAttribute(name) !== v) this.setAttribute(name, v);
    }
  });
}

/** Set each element's text only where it changed (new text is laid out again). */
function setTextChanged<E extends Element, D>(
  sel: d3.Selection<E, D, d3.BaseType, unknown>,
  text: (d: D) => string,
): void {
  sel.each(function (d) {
    const v = text(d);
    if (this.textContent !== v) this.textContent = v;
  });
}

export class NetworkDiagram {
  private svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private width = 620;
  private height = 360;
  private focusedEdge = "";

  constructor(
    root: HTMLElement,
    private readonly callbacks: DiagramCallbacks = {},
  ) {
    root.replaceChildren();
    this.svg = d3
      .select(root)
      .append("svg")
      .attr("class", "network-diagram")
      .attr("viewBox", `0 0 ${this.width} ${this.height}`)
      .attr("role", "group")
      .attr("aria-label", "network diagram: neurons and weights");
    this.svg.append("g").attr("class", "bands");
    this.svg.append("g").attr("class", "edges");
    this.svg.append("g").attr("class", "nodes");
    this.svg.append("g").attr("class", "labels");
  }

  draw(input: DiagramInput): void {
    const { sizes, stage } = input;
    const L = sizes.length - 1;
    const mx = 60;
    const my = 24;
    const colX = (l: number) => mx + (l * (this.width - 2 * mx)) / Math.max(1, L);
    const maxN = Math.max(...sizes);
    const r = Math.max(3, Math.min(18, (this.height - 2 * my) / (2.6 * maxN)));
    const rowY = (l: number, j: number) => {
      const n = sizes[l];
      const step = Math.min(3 * r, (this.height - 2 * my) / Math.max(1, n));
      return this.height / 2 + (j - (n - 1) / 2) * step;
    };
    const backward = stage !== null && (stage.phase === "backward" || stage.phase === "updated");
    const row = Math.min(input.sampleRow, (stage?.m ?? 1) - 1);

    // nodes
    const nodes: NodeDatum[] = [];
    for (let l = 0; l <= L; l++) {
      const lv: LayerView | undefined = l > 0 ? stage?.layers[l - 1] : undefined;
      for (let j = 0; j < sizes[l]; j++) {
        const a = l === 0 ? pick(stage?.a0, row, j) : pick(lv?.a, row, j);
        const u = l === 0 ? null : pick(lv?.u, row, j);
        const delta = l === 0 ? null : pick(lv?.delta, row, j);
        let valueName: NodeDatum["valueName"] = input.colorBy === "u" && l > 0 ? "u" : "a";
        if (backward && delta !== null) valueName = "δ";
        const value = valueName === "u" ? u : valueName === "δ" ? delta : a;
        nodes.push({
          l,
          j,
          x: colX(l),
          y: rowY(l, j),
          value,
          valueName,
          u,
          a,
          delta,
          label: l === 0 ? (input.inputLabels[j] ?? `x${j + 1}`) : `${l}.${j + 1}`,
        });
      }
    }
    // edges
    const edges: EdgeDatum[] = [];
    for (let l = 1; l <= L; l++) {
      // the weights as they are now: after an update they are not the traced ones
      const W = (input.params[`W${l}`] ?? stage?.trace_params?.[`W${l}`]) as number[][] | undefined;
      if (!W) continue;
      const G = backward ? stage?.layers[l - 1]?.dE_dW : undefined;
      for (let j = 0; j < sizes[l]; j++)
        for (let i = 0; i < sizes[l - 1]; i++)
          edges.push({
            l,
            j,
            i,
            x1: colX(l - 1),
            y1: rowY(l - 1, i),
            x2: colX(l),
            y2: rowY(l, j),
            w: W[j][i],
            g: G ? G[j][i] : null,
          });
    }
    const vmax = d3.max(nodes, (d) => (d.value === null ? 0 : Math.abs(d.value))) || 1;
    const color = d3.scaleDiverging(d3.interpolateRdBu).domain([vmax, 0, -vmax]);
    const edgeVal = (e: EdgeDatum) => (backward && e.g !== null ? e.g : e.w);
    const emax = d3.max(edges, (e) => Math.abs(edgeVal(e))) || 1;
    const width = d3.scaleLinear().domain([0, emax]).range([0.3, 5]);

    // the current stage's layer
    const cur = stage && stage.l !== null && stage.action !== "state" ? stage.l : null;
    this.svg
      .select("g.bands")
      .selectAll<SVGRectElement, number>("rect")
      .data(cur !== null ? [cur] : [])
      .join("rect")
      .attr("class", "stage-band")
      .attr("x", (l) => colX(l) - r - 8)
      .attr("y", 4)
      .attr("width", 2 * r + 16)
      .attr("height", this.height - 8)
      .attr("rx", 6);

    const edgeKey = (e: EdgeDatum) => `${e.l}-${e.j}-${e.i}`;
    if (!edges.some((e) => edgeKey(e) === this.focusedEdge))
      this.focusedEdge = edges.length ? edgeKey(edges[0]) : "";
    const edgeName = (e: EdgeDatum) => `w_${e.j + 1}${e.i + 1}^(${e.l})`;
    const edgeSel = this.svg
      .select("g.edges")
      .selectAll<SVGLineElement, EdgeDatum>("line")
      .data(edges, edgeKey)
      .join((enter) =>
        enter
          .append("line")
          .attr("class", "edge")
          .attr("role", "button")
          .on("click", (_ev, e) => this.editEdge(e))
          .on("keydown", (ev: KeyboardEvent, e) => this.edgeKey(ev, e, edges))
          .call((sel) => sel.append("title")),
      );
    setChanged(edgeSel, {
      tabindex: (e) => (edgeKey(e) === this.focusedEdge ? 0 : -1),
      "data-l": (e) => e.l,
      "data-j": (e) => e.j,
      "data-i": (e) => e.i,
      x1: (e) => e.x1,
      y1: (e) => e.y1,
      x2: (e) => e.x2,
      y2: (e) => e.y2,
      stroke: (e) => (edgeVal(e) >= 0 ? "#d95f02" : "#1b6ca8"),
      "stroke-width": (e) => Math.max(1, width(Math.abs(edgeVal(e)))),
      "data-w": (e) => full(e.w),
      "data-g": (e) => full(e.g),
      "aria-label": (e) =>
        `weight ${edgeName(e)} = ${fmt(e.w)}` +
        (e.g !== null ? `, ∂E/∂w = ${fmt(e.g)}` : "") +
        " (Enter to edit)",
    });
    setTextChanged(
      edgeSel.select<SVGTitleElement>("title"),
      (e) =>
        `${edgeName(e)} = ${full(e.w)}` +
        (e.g !== null ? `\n∂E/∂w = ${full(e.g)}` : "") +
        "\n(click or Enter to set)",
    );

    const g = this.svg
      .select("g.nodes")
      .selectAll<SVGGElement, NodeDatum>("g.neuron")
      .data(nodes, (d) => `${d.l}-${d.j}`)
      .join((enter) => {
        const e = enter
          .append("g")
          .attr("class", "neuron")
          .attr("tabindex", 0)
          .attr("role", "button")
          .on("click", (_ev, d) => this.callbacks.onNeuron?.(d.l, d.j))
          .on("keydown", (ev: KeyboardEvent, d) => {
            if (ev.key === "Enter" || ev.key === " ") {
              ev.preventDefault();
              ev.stopPropagation();
              this.callbacks.onNeuron?.(d.l, d.j);
            }
          })
          .on("mouseenter focus", (_ev, d) => this.callbacks.onHover?.(d.l, d.j))
          .on("mouseleave blur", () => this.callbacks.onHover?.(null, null));
        e.append("circle");
        e.append("text").attr("class", "value").attr("text-anchor", "middle").attr("dy", "0.35em");
        e.append("title");
        return e;
      });
    // The number drawn in the circle, when it fits; the accessible name holds it as drawn, so a
    // reader who says what they see (voice control) names the neuron (WCAG 2.5.3).
    const shown = (d: NodeDatum) => (r >= 11 && d.value !== null ? fmtShort(d.value) : "");
    // Not in parentheses: axe leaves the parenthesised parts of a name out of this match.
    const aside = (d: NodeDatum) => (shown(d) ? ` showing ${d.valueName} ≈ ${shown(d)}` : "");
    setChanged(g, {
      transform: (d) => `translate(${d.x},${d.y})`,
      "data-l": (d) => d.l,
      "data-j": (d) => d.j,
      "data-u": (d) => full(d.u),
      "data-a": (d) => full(d.a),
      "data-delta": (d) => full(d.delta),
      "aria-label": (d) =>
        d.l === 0
          ? `input ${d.j + 1}${aside(d)}, ${d.label} = ${fmt(d.a)}`
          : `neuron ${d.j + 1} of layer ${d.l}${aside(d)}: u = ${fmt(d.u)}, a = ${fmt(d.a)}` +
            (d.delta !== null ? `, δ = ${fmt(d.delta)}` : ""),
    });
    g.each(function (d) {
      const on = cur !== null && d.l === cur;
      if (this.classList.contains("current") !== on) this.classList.toggle("current", on);
    });
    const fill = (d: NodeDatum) => (d.value === null ? "#eeeeee" : color(d.value));
    setChanged(g.select<SVGCircleElement>("circle"), { r: () => r, fill });
    const text = g.select<SVGTextElement>("text.value");
    setChanged(text, {
      "font-size": () => Math.max(6, Math.min(10.5, r * 0.6)),
      fill: (d) => textOn(fill(d)),
    });
    setTextChanged(text, shown);
    setTextChanged(g.select<SVGTitleElement>("title"), (d) =>
      d.l === 0
        ? `a_${d.j + 1}^(0) = ${d.label} = ${full(d.a)}`
        : `neuron ${d.j + 1} of layer ${d.l}\nu = ${full(d.u)}\na = ${full(d.a)}` +
          (d.delta !== null ? `\nδ = ${full(d.delta)}` : ""),
    );

    // column labels
    const labels = [
      "input a⁽⁰⁾",
      ...input.activations.map((act, i) =>
        i === L - 1 ? `output (${act})` : `layer ${i + 1} (${act})`,
      ),
    ];
    this.svg
      .select("g.labels")
      .selectAll<SVGTextElement, string>("text")
      .data(labels)
      .join("text")
      .attr("x", (_d, l) => colX(l))
      .attr("y", this.height - 4)
      .attr("text-anchor", "middle")
      .attr("font-size", 10)
      .text((d) => d);
  }

  /** Where on the page an edge's midpoint is, for the in-place editor. */
  private editEdge(e: EdgeDatum): void {
    const box = this.svg.node()!.getBoundingClientRect();
    const k = box.width / this.width;
    this.focusedEdge = `${e.l}-${e.j}-${e.i}`;
    this.callbacks.onEdge?.(e.l, e.j, e.i, e.w, {
      x: (k * (e.x1 + e.x2)) / 2,
      y: (k * (e.y1 + e.y2)) / 2,
    });
  }

  /** Arrow keys move along the edges (one tab stop for all of them); Enter edits. */
  private edgeKey(ev: KeyboardEvent, e: EdgeDatum, edges: EdgeDatum[]): void {
    const idx = edges.findIndex((x) => x.l === e.l && x.j === e.j && x.i === e.i);
    let next: number;
    if (ev.key === "ArrowDown" || ev.key === "ArrowRight")
      next = Math.min(edges.length - 1, idx + 1);
    else if (ev.key === "ArrowUp" || ev.key === "ArrowLeft") next = Math.max(0, idx - 1);
    else if (ev.key === "Home") next = 0;
    else if (ev.key === "End") next = edges.length - 1;
    else if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      ev.stopPropagation();
      this.editEdge(e);
      return;
    } else return;
    ev.preventDefault();
    ev.stopPropagation();
    const n = edges[next];
    this.focusedEdge = `${n.l}-${n.j}-${n.i}`;
    const lines = this.svg.select("g.edges").selectAll<SVGLineElement, EdgeDatum>("line");
    lines.attr("tabindex", (x) => (`${x.l}-${x.j}-${x.i}` === this.focusedEdge ? 0 : -1));
    lines
      .filter((x) => `${x.l}-${x.j}-${x.i}` === this.focusedEdge)
      .node()
      ?.focus();
  }

  /** Focus the edge w_ji^(l) (after its editor closes). */
  focusEdge(l: number, j: number, i: number): void {
    this.svg
      .select<SVGLineElement>(`line.edge[data-l="${l}"][data-j="${j}"][data-i="${i}"]`)
      .node()
      ?.focus();
  }
}
