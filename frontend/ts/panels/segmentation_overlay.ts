// Segmentation overlay: the image with each detection's mask (a tinted canvas), box and
// "label score" tag on top, filtered by a score threshold. Data in, drawing out:
//
//   const overlay = mountSegmentationOverlay(host);
//   overlay.show(imageUrl, result);   // result: the JSON of POST /api/segmentation/run/
//   overlay.setThreshold(0.5);        // hides detections scoring below 0.5
//
// Masks arrive run-length encoded at result.mask_size (row-major, counts alternate 0-runs
// and 1-runs, starting with 0s); boxes are in the image's pixels.
import * as d3 from "d3";
import type { components } from "../api/schema";

/** One mask, run-length encoded at its size [height, width] (the schema's Mask). */
export type MaskRle = components["schemas"]["Mask"];

/** The JSON of POST /api/segmentation/run/, typed from the schema (RunResponse): boxes are
 * [x0, y0, x1, y1] in the image's pixels, input_size and mask_size [height, width]. */
export type SegmentationResult = components["schemas"]["RunResponse"];

export interface Detection {
  index: number;
  box: number[]; // x0, y0, x1, y1
  label: number;
  name: string;
  score: number;
  mask: MaskRle;
}

/** Colours per class (background unused). */
export const CLASS_COLOURS = ["#888888", "#e4572e", "#2e86de", "#17a35a", "#a05195", "#f3a712"];

export function classColour(label: number): string {
  return CLASS_COLOURS[
    ((label % CLASS_COLOURS.length) + CLASS_COLOURS.length) % CLASS_COLOURS.length
  ];
}

/** One colour per instance (by rank), so two objects of one class stay apart. */
export function instanceColour(rank: number): string {
  const palette = d3.schemeTableau10;
  return palette[((rank % palette.length) + palette.length) % palette.length];
}

/** The detections of a result, best first. */
export function detections(result: SegmentationResult): Detection[] {
  const out: Detection[] = result.scores.map((score, index) => ({
    index,
    box: result.boxes[index],
    label: result.labels[index],
    name: result.names[index] ?? String(result.labels[index]),
    score,
    mask: result.masks[index],
  }));
  return out.sort((a, b) => b.score - a.score);
}

/** Detections whose score reaches the threshold. */
export function visibleDetections(result: SegmentationResult, threshold: number): Detection[] {
  return detections(result).filter((d) => d.score >= threshold);
}

/** Decode a run-length mask into 0/1 bytes, row-major (h * w). Throws on a bad length. */
export function decodeRle(rle: MaskRle): Uint8Array {
  const [h, w] = rle.size;
  const out = new Uint8Array(h * w);
  let pos = 0;
  rle.counts.forEach((n, i) => {
    if (i % 2 === 1) out.fill(1, pos, pos + n);
    pos += n;
  });
  if (pos !== h * w) throw new Error(`mask runs cover ${pos} pixels, expected ${h} x ${w}`);
  return out;
}

/** Pixels set in a run-length mask. */
export function rleArea(rle: MaskRle): number {
  return rle.counts.reduce((sum, n, i) => (i % 2 === 1 ? sum + n : sum), 0);
}

function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** RGBA pixels of a tinted mask: the class colour where the mask is set, clear elsewhere. */
export function maskPixels(rle: MaskRle, colour: string, alpha = 140): Uint8ClampedArray {
  const bits = decodeRle(rle);
  const [r, g, b] = hexToRgb(colour);
  const px = new Uint8ClampedArray(bits.length * 4);
  for (let i = 0; i < bits.length; i++) {
    if (!bits[i]) continue;
    px[4 * i] = r;
    px[4 * i + 1] = g;
    px[4 * i + 2] = b;
    px[4 * i + 3] = alpha;
  }
  return px;
}

/** A true object of a generated image (dashed outline, for comparison). */
export interface TruthBox {
  name: string;
  box: number[];
}

export interface SegmentationOverlay {
  show(imageUrl: string, result: SegmentationResult): void;
  setTruth(truth: TruthBox[]): void;
  showImage(imageUrl: string, width?: number, height?: number): void;
  setThreshold(threshold: number): void;
  visibleCount(): number;
  clear(): void;
}

export function mountSegmentationOverlay(host: HTMLElement): SegmentationOverlay {
  host.classList.add("seg-stage");
  host.replaceChildren();
  const img = document.createElement("img");
  img.className = "seg-image";
  img.alt = "Image to segment";
  const masks = document.createElement("div");
  masks.className = "seg-masks";
  host.append(img, masks);
  const svg = d3
    .select(host)
    .append("svg")
    .attr("class", "seg-boxes")
    .attr("role", "img")
    .attr("aria-label", "Detected objects");

  let result: SegmentationResult | null = null;
  let threshold = 0.5;
  let truth: TruthBox[] = [];

  function draw(): void {
    masks.replaceChildren();
    svg.selectAll("*").remove();
    host.dataset.masksShown = "0";
    if (!result) return;
    const { width, height } = result.image;
    const [mh, mw] = result.mask_size;
    svg.attr("viewBox", `0 0 ${width} ${height}`).attr("preserveAspectRatio", "none");
    const shown = visibleDetections(result, threshold);
    const colour = new Map(detections(result).map((d, rank) => [d.index, instanceColour(rank)]));
    const colourOf = (d: Detection) => colour.get(d.index) ?? classColour(d.label);
    for (const d of shown) {
      const canvas = document.createElement("canvas");
      canvas.className = "seg-mask";
      canvas.width = mw;
      canvas.height = mh;
      canvas.dataset.label = d.name;
      canvas.dataset.score = d.score.toFixed(3);
      const ctx = canvas.getContext("2d");
      if (ctx) {
        const data = ctx.createImageData(mw, mh);
        data.data.set(maskPixels(d.mask, colourOf(d)));
        ctx.putImageData(data, 0, 0);
      }
      masks.append(canvas);
    }
    const font = Math.max(width, height) / 30; // about 15 px on a 450 px stage
    const g = svg
      .selectAll<SVGGElement, Detection>("g.seg-detection")
      .data(shown, (d) => String(d.index))
      .join("g")
      .attr("class", "seg-detection");
    g.append("rect")
      .attr("x", (d) => d.box[0])
      .attr("y", (d) => d.box[1])
      .attr("width", (d) => Math.max(0, d.box[2] - d.box[0]))
      .attr("height", (d) => Math.max(0, d.box[3] - d.box[1]))
      .attr("fill", "none")
      .attr("stroke", colourOf)
      .attr("stroke-width", 2)
      .attr("vector-effect", "non-scaling-stroke");
    const tag = g
      .append("g")
      .attr("class", "seg-tag")
      .attr("transform", (d) => `translate(${d.box[0]},${Math.max(font, d.box[1])})`);
    tag
      .append("rect")
      .attr("y", -font)
      .attr("height", font * 1.15)
      .attr("width", (d) => (d.name.length + 5) * font * 0.62)
      .attr("fill", colourOf);
    tag
      .append("text")
      .attr("x", font * 0.2)
      .attr("y", -font * 0.15)
      .attr("font-size", font)
      .attr("fill", "#fff")
      .text((d) => `${d.name} ${d.score.toFixed(2)}`);
    svg
      .selectAll("rect.seg-truth")
      .data(truth)
      .join("rect")
      .attr("class", "seg-truth")
      .attr("x", (t) => t.box[0])
      .attr("y", (t) => t.box[1])
      .attr("width", (t) => Math.max(0, t.box[2] - t.box[0]))
      .attr("height", (t) => Math.max(0, t.box[3] - t.box[1]))
      .attr("fill", "none")
      .attr("stroke", "#111")
      .attr("stroke-width", 1.5)
      .attr("stroke-dasharray", "4 3")
      .attr("vector-effect", "non-scaling-stroke")
      .append("title")
      .text((t) => `true ${t.name}`);
    host.dataset.masksShown = String(shown.length);
  }

  return {
    show(imageUrl, res) {
      result = res;
      img.src = imageUrl;
      host.style.aspectRatio = `${res.image.width} / ${res.image.height}`;
      draw();
    },
    setTruth(t) {
      truth = t;
      draw();
    },
    showImage(imageUrl, width, height) {
      result = null;
      img.src = imageUrl;
      if (width && height) host.style.aspectRatio = `${width} / ${height}`;
      draw();
    },
    setThreshold(t) {
      threshold = t;
      draw();
    },
    visibleCount() {
      return result ? visibleDetections(result, threshold).length : 0;
    },
    clear() {
      result = null;
      truth = [];
      img.removeAttribute("src");
      draw();
    },
  };
}
