// Decoding of the playground's binary frames (see nnweb/playground/frames.py):
//   "NNF1" | uint32 LE header length | JSON header | arrays, each on an 8-byte boundary.

export type TypedArray = Float32Array | Float64Array | Uint8Array;

export interface FrameArray {
  dtype: "f4" | "f8" | "u1";
  shape: number[];
  data: TypedArray;
}

export interface Frame {
  meta: Record<string, unknown>;
  arrays: Record<string, FrameArray>;
}

function view(dtype: string, buffer: ArrayBuffer, offset: number, nbytes: number): TypedArray {
  if (dtype === "f4") return new Float32Array(buffer, offset, nbytes / 4);
  if (dtype === "f8") return new Float64Array(buffer, offset, nbytes / 8);
  return new Uint8Array(buffer, offset, nbytes);
}

export function decodeFrame(buffer: ArrayBuffer): Frame {
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== "NNF1") throw new Error("not a playground frame");
  const headerLength = new DataView(buffer).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const base = 8 + headerLength;
  const arrays: Record<string, FrameArray> = {};
  const descr = (header.arrays ?? {}) as Record<
    string,
    { dtype: "f4" | "f8" | "u1"; shape: number[]; offset: number; nbytes: number }
  >;
  for (const [name, d] of Object.entries(descr)) {
    arrays[name] = {
      dtype: d.dtype,
      shape: d.shape,
      data: view(d.dtype, buffer, base + d.offset, d.nbytes),
    };
  }
  delete header.arrays;
  return { meta: header, arrays };
}

/** The REST form: {"name": {"dtype", "shape", "b64"}}. */
export function decodeB64Arrays(
  enc: Record<string, { dtype: "f4" | "f8" | "u1"; shape: number[]; b64: string }>,
): Record<string, FrameArray> {
  const out: Record<string, FrameArray> = {};
  for (const [name, d] of Object.entries(enc)) {
    const bin = atob(d.b64);
    const buf = new ArrayBuffer(bin.length);
    const u8 = new Uint8Array(buf);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    out[name] = { dtype: d.dtype, shape: d.shape, data: view(d.dtype, buf, 0, bin.length) };
  }
  return out;
}

/** Row r of a 2-D frame array as plain numbers. */
export function row(a: FrameArray, r: number): number[] {
  const n = a.shape[1] ?? 1;
  return Array.from(a.data.subarray(r * n, (r + 1) * n));
}

/** Rows of uint8 `q` (n, ...) back to float32 with each row's [lo, hi] in `ranges` (n, 2). */
export function dequantize(q: FrameArray, ranges: FrameArray): FrameArray {
  if (q.dtype !== "u1") return q;
  const n = q.shape[0];
  const per = q.data.length / n;
  const out = new Float32Array(q.data.length);
  for (let k = 0; k < n; k++) {
    const lo = ranges.data[2 * k];
    const span = ranges.data[2 * k + 1] - lo;
    for (let p = 0; p < per; p++) out[k * per + p] = lo + (q.data[k * per + p] / 255) * span;
  }
  return { dtype: "f4", shape: q.shape, data: out };
}
