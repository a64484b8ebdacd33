// Colour for charts, chosen to stay readable for colour-blind readers:
//   magnitudes (>= 0)      viridis or cividis (perceptually uniform, monotone in lightness)
//   signed values          a diverging blue–white–red map centred on 0
//   several lines          the Okabe–Ito palette, and each line also has its own dash pattern
import * as d3 from "d3";

export type MapName = "viridis" | "cividis" | "diverging";

/** Okabe & Ito's colour-blind-safe palette (blue, vermillion, bluish green, …). */
export const SERIES_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
export const SERIES_DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2", "4 4"];

/** The map for these values: diverging when they take both signs, else `sequential`. */
export function pickMap(values: Iterable<number>, sequential: MapName = "viridis"): MapName {
  let neg = false;
  let pos = false;
  for (const v of values) {
    if (v < 0) neg = true;
    else if (v > 0) pos = true;
  }
  return neg && pos ? "diverging" : sequential;
}

/** A value → CSS colour function over the values' range (symmetric around 0 if diverging). */
export function colorScale(values: number[], map: MapName): (v: number) => string {
  const finite = values.filter(Number.isFinite);
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 1;
  if (map === "diverging") {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    const s = d3.scaleDiverging((t: number) => d3.interpolateRdBu(1 - t)).domain([-m, 0, m]);
    return (v) => s(v);
  }
  const interp = map === "cividis" ? d3.interpolateCividis : d3.interpolateViridis;
  const s = d3.scaleSequential(interp).domain(lo === hi ? [lo - 1, hi + 1] : [lo, hi]);
  return (v) => s(v);
}

/** Relative luminance (WCAG) of an rgb()/#hex colour d3 can parse. */
export function luminance(color: string): number {
  const c = d3.rgb(color);
  const f = (x: number) => {
    const s = x / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}

/** Black or white, whichever contrasts more with `background` (labels on heatmap cells). */
export function textOn(background: string): "#000000" | "#ffffff" {
  const l = luminance(background);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
}
