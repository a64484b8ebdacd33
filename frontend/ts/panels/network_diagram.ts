// Network diagram (d3): neurons coloured by a or u of the chosen sample (δ during back
// propagation), edges by the sign and size of w_ji (∂E/∂w_ji during back propagation), the
// current stage's layer highlighted. Every neuron carries its numbers in data-* attributes and
// a hover title; clicking a neuron or an edge calls back.
import * as d3 from "d3";
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
  onEdge?: (l: number, j: number, i: number, w: number) => void;
}

interface NodeDatum {
  l: number;
  j: number;
  x: number;
  y: number;
  value: number | null;
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

const fmt = (x: number | null) => (x === null ? "–" : Number(x.toPrecision(4)).toString());
const full = (x: number | null) => (x === null ? "" : String(x));

function pick(m: number[][] | undefined, r: number, j: number): number | null {
  if (!m || !m[r]) return null;
  const v = m[r][j];
  return v === undefined || v === null ? null : v;
}

export class NetworkDiagram {
  private svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private width = 620;
  private height = 340;

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
      .attr("role", "img")
      .attr("aria-label", "network diagram");
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
    const r = Math.max(3, Math.min(16, (this.height - 2 * my) / (2.6 * maxN)));
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
        let value = input.colorBy === "u" && l > 0 ? u : a;
        if (backward && delta !== null) value = delta;
        nodes.push({
          l,
          j,
          x: colX(l),
          y: rowY(l, j),
          value,
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
      const W = (stage?.trace_params?.[`W${l}`] ?? input.params[`W${l}`]) as number[][] | undefined;
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

    this.svg
      .select("g.edges")
      .selectAll<SVGLineElement, EdgeDatum>("line")
      .data(edges, (e) => `${e.l}-${e.j}-${e.i}`)
      .join((enter) =>
        enter
          .append("line")
          .attr("class", "edge")
          .on("click", (_ev, e) => this.callbacks.onEdge?.(e.l, e.j, e.i, e.w))
          .call((s) => s.append("title")),
      )
      .attr("x1", (e) => e.x1)
      .attr("y1", (e) => e.y1)
      .attr("x2", (e) => e.x2)
      .attr("y2", (e) => e.y2)
      .attr("stroke", (e) => (edgeVal(e) >= 0 ? "#d95f02" : "#1b6ca8"))
      .attr("stroke-width", (e) => width(Math.abs(edgeVal(e))))
      .attr("data-w", (e) => full(e.w))
      .attr("data-g", (e) => full(e.g))
      .select("title")
      .text(
        (e) =>
          `w_${e.j + 1}${e.i + 1}^(${e.l}) = ${fmt(e.w)}` +
          (e.g !== null ? `\n∂E/∂w = ${fmt(e.g)}` : "") +
          "\n(click to set)",
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
          .on("click", (_ev, d) => this.callbacks.onNeuron?.(d.l, d.j));
        e.append("circle");
        e.append("text").attr("class", "value").attr("text-anchor", "middle").attr("dy", "0.35em");
        e.append("title");
        return e;
      })
      .attr("transform", (d) => `translate(${d.x},${d.y})`)
      .attr("data-l", (d) => d.l)
      .attr("data-j", (d) => d.j)
      .attr("data-u", (d) => full(d.u))
      .attr("data-a", (d) => full(d.a))
      .attr("data-delta", (d) => full(d.delta))
      .classed("current", (d) => cur !== null && d.l === cur);
    g.select("circle")
      .attr("r", r)
      .attr("fill", (d) => (d.value === null ? "#eee" : color(d.value)));
    g.select("text.value")
      .attr("font-size", Math.max(6, Math.min(10, r * 0.7)))
      .text((d) => (r >= 10 && d.value !== null ? fmt(d.value) : ""));
    g.select("title").text((d) =>
      d.l === 0
        ? `a_${d.j + 1}^(0) = ${d.label} = ${fmt(d.a)}`
        : `neuron ${d.j + 1} of layer ${d.l}\nu = ${fmt(d.u)}\na = ${fmt(d.a)}` +
          (d.delta !== null ? `\nδ = ${fmt(d.delta)}` : ""),
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
}
