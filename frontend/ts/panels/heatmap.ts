// Decision boundary (classification: colour of the most likely class, lighter where unsure) or
// fitted surface (regression) over the 64×64 grid, with the training points (filled) and test
// points (ringed). Click adds a point, shift-click removes the nearest one.
import * as d3 from "d3";
import type { FrameArray } from "../playground/frame";
import { classLut, DIVERGING, level } from "../playground/palette";

const CLASS_COLORS = ["#1b6ca8", "#d95f02", "#2a9d4b", "#9b3fb5", "#c9a100", "#555555"];

export interface HeatmapPoints {
  X: number[][];
  y: (number | number[])[];
  train: Set<number>;
}

export class Heatmap {
  private canvas: HTMLCanvasElement;
  private svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private size: number;
  extent: [[number, number], [number, number]] = [
    [-1, 1],
    [-1, 1],
  ];

  constructor(
    root: HTMLElement,
    private readonly onClick?: (x1: number, x2: number, remove: boolean) => void,
    size = 280,
  ) {
    this.size = size;
    root.replaceChildren();
    root.style.position = "relative";
    root.style.width = `${this.size}px`;
    root.style.height = `${this.size}px`;
    this.canvas = document.createElement("canvas");
    this.canvas.width = 64;
    this.canvas.height = 64;
    Object.assign(this.canvas.style, {
      width: `${this.size}px`,
      height: `${this.size}px`,
      imageRendering: "auto",
      position: "absolute",
      left: "0",
      top: "0",
    });
    root.appendChild(this.canvas);
    this.svg = d3
      .select(root)
      .append("svg")
      .attr("width", this.size)
      .attr("height", this.size)
      .style("position", "absolute")
      .style("left", "0")
      .style("top", "0");
    this.svg.on("click", (ev: MouseEvent) => {
      const [px, py] = d3.pointer(ev);
      this.onClick?.(this.sx().invert(px), this.sy().invert(py), ev.shiftKey);
    });
  }

  private sx() {
    return d3.scaleLinear().domain(this.extent[0]).range([0, this.size]);
  }

  private sy() {
    return d3.scaleLinear().domain(this.extent[1]).range([this.size, 0]);
  }

  /** Plane coordinates of a point in the picture (pixels from its top left corner). */
  toPlane(px: number, py: number): [number, number] {
    return [this.sx().invert(px), this.sy().invert(py)];
  }

  /** Forget the drawing of the previous data set: its curve, points and picture. */
  clear(): void {
    this.svg.selectAll("path.curve, circle.point").remove();
    const ctx = this.canvas.getContext("2d")!;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  private image: ImageData | null = null;

  /** The canvas at n × n pixels and an ImageData of that size, both kept from frame to frame
   * (setting a canvas's size, even to the same value, clears and reallocates its bitmap). */
  private pixels(n: number): [CanvasRenderingContext2D, ImageData] {
    if (this.canvas.width !== n || this.canvas.height !== n) {
      this.canvas.width = n;
      this.canvas.height = n;
    }
    const ctx = this.canvas.getContext("2d")!;
    if (!this.image || this.image.width !== n) this.image = ctx.createImageData(n, n);
    return [ctx, this.image];
  }

  /** One hidden neuron's output a_j^(l) over the plane (a thumbnail, drawn large). */
  drawNeuron(values: Uint8Array | Float32Array, T: number, lo: number, hi: number): void {
    const [ctx, img] = this.pixels(T);
    const amax = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    for (let p = 0; p < T * T; p++) {
      const v = lo + (values[p] / 255) * (hi - lo);
      const k = 3 * level(0.5 - (0.5 * v) / amax);
      img.data[4 * p] = DIVERGING[k];
      img.data[4 * p + 1] = DIVERGING[k + 1];
      img.data[4 * p + 2] = DIVERGING[k + 2];
      img.data[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  /** out: (K, G, G) class probabilities, or (1, G, G) regression output. */
  drawGrid(out: FrameArray, problem: string, yRange?: [number, number]): void {
    const [K, G] = [out.shape[0], out.shape[1]];
    const [ctx, img] = this.pixels(G);
    const d = out.data;
    const GG = G * G;
    const luts = CLASS_COLORS.map((c) => classLut(c));
    const [lo, hi] = yRange ?? [-1, 1];
    for (let p = 0; p < GG; p++) {
      let lut = DIVERGING;
      let t: number;
      if (problem === "classification") {
        let best = 0;
        for (let k = 1; k < K; k++) if (d[k * GG + p] > d[best * GG + p]) best = k;
        t = K > 1 ? (d[best * GG + p] - 1 / K) / (1 - 1 / K) : 1;
        lut = luts[best % luts.length];
      } else {
        t = hi > lo ? 1 - (d[p] - lo) / (hi - lo) : 0.5; // high values red, as the points
      }
      const k = 3 * level(t);
      img.data[4 * p] = lut[k];
      img.data[4 * p + 1] = lut[k + 1];
      img.data[4 * p + 2] = lut[k + 2];
      img.data[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  /** 1-D regression: the fitted curve a^(L)(x) over the data's x range, points (x, y). */
  drawCurve(xs: FrameArray, ys: FrameArray, points: HeatmapPoints): void {
    const ctx = this.canvas.getContext("2d")!;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    const yv = points.y.map((v) => (Array.isArray(v) ? v[0] : v));
    const lo = Math.min(...yv, ...Array.from(ys.data));
    const hi = Math.max(...yv, ...Array.from(ys.data));
    const pad = 0.1 * (hi - lo || 1);
    this.extent = [this.extent[0], [lo - pad, hi + pad]];
    const sx = this.sx();
    const sy = this.sy();
    const line = d3
      .line<number>()
      .x((_v, k) => sx(xs.data[k]))
      .y((v) => sy(v));
    this.svg
      .selectAll("path.curve")
      .data([Array.from(ys.data)])
      .join("path")
      .attr("class", "curve")
      .attr("fill", "none")
      .attr("stroke", "#d95f02")
      .attr("stroke-width", 2)
      .attr("d", (d) => line(d));
  }

  drawPoints(points: HeatmapPoints, problem: string, highlight: number[] = []): void {
    const sx = this.sx();
    const oneD = points.X.length > 0 && points.X[0].length === 1;
    const sy = this.sy();
    const hi = new Set(highlight);
    const ys = points.y.map((v) => (Array.isArray(v) ? v[0] : v));
    const ext = d3.extent(ys) as [number, number];
    const reg = d3
      .scaleDiverging(d3.interpolateRdBu)
      .domain([ext[1] ?? 1, ((ext[0] ?? 0) + (ext[1] ?? 1)) / 2, ext[0] ?? 0]);
    const data = points.X.map((x, i) => ({
      i,
      x: oneD ? [x[0], ys[i]] : x,
      y: ys[i],
      train: points.train.has(i),
    }));
    this.svg
      .selectAll<SVGCircleElement, (typeof data)[number]>("circle.point")
      .data(data)
      .join("circle")
      .attr("class", (d) => `point ${d.train ? "train" : "test"}${hi.has(d.i) ? " chosen" : ""}`)
      .attr("data-index", (d) => d.i)
      .attr("cx", (d) => sx(d.x[0]))
      .attr("cy", (d) => sy(d.x[1]))
      .attr("r", (d) => (hi.has(d.i) ? 6 : 3.5))
      .attr("fill", (d) =>
        d.train
          ? problem === "classification"
            ? CLASS_COLORS[d.y % CLASS_COLORS.length]
            : reg(d.y)
          : "none",
      )
      .attr("stroke", (d) =>
        d.train
          ? "#fff"
          : problem === "classification"
            ? CLASS_COLORS[d.y % CLASS_COLORS.length]
            : reg(d.y),
      )
      .attr("stroke-width", (d) => (d.train ? 0.8 : 1.8));
  }
}
