// Each hidden neuron's output a_j^(l) over the input grid, as a small picture (uint8 frames).
import type { FrameArray } from "../playground/frame";
import { DIVERGING, level } from "../playground/palette";

interface Thumb {
  ctx: CanvasRenderingContext2D;
  image: ImageData;
  caption: HTMLElement;
}

/** Each figure's canvas context and ImageData, made once and reused by every frame. */
const thumbs = new WeakMap<HTMLElement, Thumb>();

export function drawThumbnails(
  root: HTMLElement,
  neurons: FrameArray,
  ranges: FrameArray,
  labels: string[],
): void {
  const [n, T] = [neurons.shape[0], neurons.shape[1]];
  const first = root.children[0] as HTMLElement | undefined;
  if (root.childElementCount !== n || (first && thumbs.get(first)?.image.width !== T)) {
    root.replaceChildren();
    for (let k = 0; k < n; k++) {
      const fig = document.createElement("figure");
      fig.className = "thumb";
      const c = document.createElement("canvas");
      c.width = T;
      c.height = T;
      const cap = document.createElement("figcaption");
      fig.append(c, cap);
      root.appendChild(fig);
      const ctx = c.getContext("2d")!;
      thumbs.set(fig, { ctx, image: ctx.createImageData(T, T), caption: cap });
    }
  }
  for (let k = 0; k < n; k++) {
    const fig = root.children[k] as HTMLElement;
    const { ctx, image, caption } = thumbs.get(fig)!;
    const px = image.data;
    const lo = ranges.data[2 * k];
    const hi = ranges.data[2 * k + 1];
    const amax = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    for (let p = 0; p < T * T; p++) {
      const v = lo + (neurons.data[k * T * T + p] / 255) * (hi - lo);
      const c = 3 * level(0.5 - (0.5 * v) / amax);
      px[4 * p] = DIVERGING[c];
      px[4 * p + 1] = DIVERGING[c + 1];
      px[4 * p + 2] = DIVERGING[c + 2];
      px[4 * p + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    const label = labels[k] ?? "";
    if (caption.textContent !== label) caption.textContent = label;
    fig.title = `${labels[k]}: a from ${lo.toPrecision(3)} to ${hi.toPrecision(3)}`;
  }
}
