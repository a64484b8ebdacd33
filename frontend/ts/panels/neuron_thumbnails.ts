// Each hidden neuron's output a_j^(l) over the input grid, as a small picture (uint8 frames).
import type { FrameArray } from "../playground/frame";
import { DIVERGING, level } from "../playground/palette";

export function drawThumbnails(
  root: HTMLElement,
  neurons: FrameArray,
  ranges: FrameArray,
  labels: string[],
): void {
  const [n, T] = [neurons.shape[0], neurons.shape[1]];
  if (root.childElementCount !== n) {
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
    }
  }
  for (let k = 0; k < n; k++) {
    const fig = root.children[k] as HTMLElement;
    const c = fig.querySelector("canvas")!;
    const ctx = c.getContext("2d")!;
    const img = ctx.createImageData(T, T);
    const lo = ranges.data[2 * k];
    const hi = ranges.data[2 * k + 1];
    const amax = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    for (let p = 0; p < T * T; p++) {
      const v = lo + (neurons.data[k * T * T + p] / 255) * (hi - lo);
      const c = 3 * level(0.5 - (0.5 * v) / amax);
      img.data[4 * p] = DIVERGING[c];
      img.data[4 * p + 1] = DIVERGING[c + 1];
      img.data[4 * p + 2] = DIVERGING[c + 2];
      img.data[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    fig.querySelector("figcaption")!.textContent = labels[k] ?? "";
    fig.title = `${labels[k]}: a from ${lo.toPrecision(3)} to ${hi.toPrecision(3)}`;
  }
}
