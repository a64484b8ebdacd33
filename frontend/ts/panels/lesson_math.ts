// Pure helpers shared by the lesson panels (no DOM, no d3): tested with vitest.

export type Matrix = number[][];

/** A number for display: integers as-is, others with up to `digits` decimals, trimmed. */
export function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (Number.isInteger(v)) return String(v);
  const s = v.toFixed(digits).replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
}

/** Output width of a window sweep: floor((W − K + P_before + P_after) / S) + 1. */
export function outputSize(
  width: number,
  kernel: number,
  padTotal: number,
  stride: number,
): number {
  return Math.floor((width - kernel + padTotal) / stride) + 1;
}

/** Valid cross-correlation of an image with a kernel (what a conv layer computes). */
export function correlate2d(img: Matrix, k: Matrix, stride = 1): Matrix {
  const K = k.length;
  const Ho = outputSize(img.length, K, 0, stride);
  const Wo = outputSize(img[0].length, K, 0, stride);
  const out: Matrix = [];
  for (let i = 0; i < Ho; i++) {
    const row: number[] = [];
    for (let j = 0; j < Wo; j++) {
      let s = 0;
      for (let a = 0; a < K; a++)
        for (let b = 0; b < K; b++) s += img[i * stride + a][j * stride + b] * k[a][b];
      row.push(s);
    }
    out.push(row);
  }
  return out;
}

/** Parse a user's number; returns null for anything that is not a finite number. */
export function parseNumber(text: string): number | null {
  const t = text.trim().replace("−", "-").replace(",", ".");
  if (t === "") return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/** Is a student's answer right? Numbers within a relative/absolute tolerance, or text matches
 * one of the accepted answers (case and spacing ignored). */
export function checkAnswer(given: string, accepted: string[], tol = 1e-2): boolean {
  const g = given.trim().toLowerCase().replace(/\s+/g, "");
  if (!g) return false;
  const gn = parseNumber(given);
  for (const a of accepted) {
    const an = parseNumber(a);
    if (an !== null && gn !== null) {
      if (Math.abs(gn - an) <= tol * Math.max(1, Math.abs(an))) return true;
    } else if (a.trim().toLowerCase().replace(/\s+/g, "") === g) {
      return true;
    }
  }
  return false;
}

/** Softmax of logits (stable). */
export function softmax(u: number[]): number[] {
  const m = Math.max(...u);
  const e = u.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Row-major flatten of a (C, H, W) volume: index of (c, y, x) in the vector. */
export function flattenIndex(c: number, y: number, x: number, H: number, W: number): number {
  return c * H * W + y * W + x;
}

/** Matrix shape check: rows of equal length, at least one cell. */
export function isMatrix(m: unknown): m is Matrix {
  return (
    Array.isArray(m) &&
    m.length > 0 &&
    m.every((r) => Array.isArray(r) && r.length === (m[0] as unknown[]).length && r.length > 0)
  );
}

/** Smallest and largest entries of a matrix. */
export function extent(m: Matrix): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of m)
    for (const v of r) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return [lo, hi];
}
