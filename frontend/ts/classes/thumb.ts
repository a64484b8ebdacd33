// A live tile's thumbnail: THUMB x THUMB bytes (base64) drawn on a small canvas, scaled up by
// CSS. "classes" data is P(class 1) (or the winning class), drawn blue -> orange like the
// playground's heatmap; "values"/"curve" data are outputs rescaled to 0..1 by the server.
import type { components } from "../api/schema";

/** A live tile's thumbnail (generated from nnweb.core.ws_schema.LiveTileThumbSerializer). */
export type Thumb = components["schemas"]["LiveTileThumb"];

/** The bytes of a base64 thumbnail. */
export function decodeThumb(data: string): Uint8Array {
  const raw = atob(data);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** RGB of value v in 0..255: blue (class 0) through white to orange (class 1). */
export function colour(v: number): [number, number, number] {
  const t = v / 255;
  const blue = [8, 119, 189];
  const orange = [245, 147, 34];
  const mix = (a: number, b: number, s: number) => Math.round(a + (b - a) * s);
  if (t < 0.5) {
    const s = t * 2;
    return [mix(blue[0], 255, s), mix(blue[1], 255, s), mix(blue[2], 255, s)];
  }
  const s = (t - 0.5) * 2;
  return [mix(255, orange[0], s), mix(255, orange[1], s), mix(255, orange[2], s)];
}

export function drawThumb(canvas: HTMLCanvasElement, thumb: Thumb | null): void {
  const ctx = canvas.getContext("2d");
  if (!ctx || !thumb) return;
  const bytes = decodeThumb(thumb.data);
  const side = thumb.side;
  if (thumb.kind === "curve") {
    canvas.width = side;
    canvas.height = side;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, side, side);
    ctx.fillStyle = "#0877bd";
    bytes.forEach((v, i) => ctx.fillRect(i, side - 1 - Math.round((v / 255) * (side - 1)), 1, 1));
    return;
  }
  canvas.width = side;
  canvas.height = side;
  const img = ctx.createImageData(side, side);
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      // grid row 0 is the lowest x2: draw it at the bottom
      const [r, g, b] = colour(bytes[row * side + col]);
      const k = ((side - 1 - row) * side + col) * 4;
      img.data[k] = r;
      img.data[k + 1] = g;
      img.data[k + 2] = b;
      img.data[k + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}
