// Colour lookup tables for the pictures drawn every frame (heatmap, neuron thumbnails): 256
// RGB entries computed once, so a frame costs one table read per pixel instead of parsing a
// CSS colour string per pixel.
import * as d3 from "d3";

export type Lut = Uint8ClampedArray; // 256 × (r, g, b)

function table(color: (t: number) => string): Lut {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let k = 0; k < 256; k++) {
    const c = d3.rgb(color(k / 255));
    lut[3 * k] = c.r;
    lut[3 * k + 1] = c.g;
    lut[3 * k + 2] = c.b;
  }
  return lut;
}

/** The diverging map of signed values: t = 0 is red (negative), 1 blue (positive). */
export const DIVERGING: Lut = table(d3.interpolateRdBu);

const classTables = new Map<string, Lut>();

/** White to ``color`` from 15% to 70% (how sure the network is of that class). */
export function classLut(color: string): Lut {
  let lut = classTables.get(color);
  if (!lut) {
    const mix = d3.interpolateRgb("#ffffff", color);
    lut = table((t) => mix(0.15 + 0.55 * t));
    classTables.set(color, lut);
  }
  return lut;
}

/** Index 0..255 of t in [0, 1] (clamped). */
export function level(t: number): number {
  return t <= 0 ? 0 : t >= 1 ? 255 : Math.round(t * 255);
}
