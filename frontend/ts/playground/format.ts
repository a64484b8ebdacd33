// Numbers and colours a student can read: 4 significant digits on screen (the full value in the
// tooltip and the formula), and text drawn on a fill in whichever of black or white
// contrasts more with it (WCAG 2 relative luminance; 4.5:1 is the bar for normal text).

/** x with at most 4 significant digits, without trailing zeros ("–" when there is none). */
export function fmt4(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const ax = Math.abs(x);
  if (ax >= 1e5 || ax < 1e-3) {
    const [m, e] = x.toExponential(3).split("e");
    return `${Number(m)}e${Number(e)}`;
  }
  return String(Number(x.toPrecision(4)));
}

/** A short form for a small circle: 3 significant digits, at most 5 characters if possible. */
export function fmtShort(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "";
  const ax = Math.abs(x);
  if (ax !== 0 && (ax >= 1000 || ax < 0.01)) return x.toExponential(0).replace("e+", "e");
  return String(Number(x.toPrecision(ax >= 1 ? 3 : 2)));
}

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance of an sRGB colour. */
export function luminance(rgb: [number, number, number]): number {
  return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
}

export function contrast(a: [number, number, number], b: [number, number, number]): number {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}

export const DARK: [number, number, number] = [0, 0, 0];
export const LIGHT: [number, number, number] = [255, 255, 255];

/** Parse "#rrggbb", "#rgb" or "rgb(r, g, b)". */
export function parseColor(css: string): [number, number, number] {
  const s = css.trim();
  const m = s.match(/^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  let hex = s.replace("#", "");
  if (hex.length === 3) hex = [...hex].map((ch) => ch + ch).join("");
  const n = parseInt(hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The text colour (black or white) with the higher contrast on ``fill``. */
export function textOn(fill: string): string {
  const rgb = parseColor(fill);
  return contrast(rgb, DARK) >= contrast(rgb, LIGHT) ? "#000000" : "#ffffff";
}
