import { describe, expect, it } from "vitest";
import { decodeFrame, dequantize } from "./frame";

/** A frame laid out as nnweb/playground/frames.py writes it. */
function encode(
  meta: Record<string, unknown>,
  arrays: Record<string, { dtype: "f4" | "u1"; shape: number[]; data: number[] }>,
): ArrayBuffer {
  const descr: Record<string, unknown> = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    const raw =
      a.dtype === "f4" ? new Uint8Array(new Float32Array(a.data).buffer) : new Uint8Array(a.data);
    const pad = (8 - (raw.length % 8)) % 8;
    descr[name] = { dtype: a.dtype, shape: a.shape, offset, nbytes: raw.length };
    const chunk = new Uint8Array(raw.length + pad);
    chunk.set(raw);
    chunks.push(chunk);
    offset += chunk.length;
  }
  let header = JSON.stringify({ ...meta, arrays: descr });
  while ((8 + header.length) % 8) header += " ";
  const out = new Uint8Array(8 + header.length + offset);
  out.set(new TextEncoder().encode("NNF1"), 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(new TextEncoder().encode(header), 8);
  let at = 8 + header.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out.buffer;
}

describe("binary frames", () => {
  it("decodes the header and the float32 / uint8 arrays", () => {
    const buf = encode(
      { type: "frame", iteration: 7 },
      {
        out: { dtype: "f4", shape: [1, 2, 2], data: [0.5, -1, 2, 3.25] },
        neurons: { dtype: "u1", shape: [3], data: [0, 128, 255] },
      },
    );
    const f = decodeFrame(buf);
    expect(f.meta).toEqual({ type: "frame", iteration: 7 });
    expect(f.arrays.out.shape).toEqual([1, 2, 2]);
    expect(Array.from(f.arrays.out.data)).toEqual([0.5, -1, 2, 3.25]);
    expect(Array.from(f.arrays.neurons.data)).toEqual([0, 128, 255]);
  });

  it("refuses other binary messages", () => {
    expect(() => decodeFrame(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0]).buffer)).toThrow(
      /not a playground frame/,
    );
  });
});

describe("dequantize", () => {
  it("maps each row's bytes back onto its range", () => {
    const q = { dtype: "u1" as const, shape: [2, 2], data: new Uint8Array([0, 255, 0, 51]) };
    const r = { dtype: "f4" as const, shape: [2, 2], data: new Float32Array([0, 1, -1, 4]) };
    const out = dequantize(q, r);
    expect(Array.from(out.data)).toEqual([0, 1, -1, 0]);
  });
});
