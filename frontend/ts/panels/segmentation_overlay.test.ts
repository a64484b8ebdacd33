import { describe, expect, it } from "vitest";
import { dragSize, trianglePoints } from "./segmentation_canvas";
import {
  classColour,
  decodeRle,
  maskPixels,
  rleArea,
  visibleDetections,
  type SegmentationResult,
} from "./segmentation_overlay";

const result: SegmentationResult = {
  model: { id: "shipped", name: "m", source: "shipped", default: true, description: "" },
  classes: ["background", "square", "circle", "triangle"],
  image: { width: 4, height: 2 },
  input_size: [128, 128],
  mask_size: [2, 4],
  mask_threshold: 0.5,
  count: 3,
  boxes: [
    [0, 0, 2, 2],
    [1, 0, 4, 2],
    [0, 0, 1, 1],
  ],
  labels: [1, 2, 3],
  names: ["square", "circle", "triangle"],
  scores: [0.4, 0.95, 0.7],
  masks: [
    { size: [2, 4], counts: [0, 2, 2, 2, 2] },
    { size: [2, 4], counts: [1, 3, 1, 3] },
    { size: [2, 4], counts: [8] },
  ],
  provider: "CPUExecutionProvider",
  device: "CPU",
  latency_ms: 3.2,
  total_ms: 5.0,
};

describe("run-length masks", () => {
  it("decodes row-major runs starting with zeros", () => {
    expect(Array.from(decodeRle(result.masks[0]))).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
    expect(Array.from(decodeRle(result.masks[1]))).toEqual([0, 1, 1, 1, 0, 1, 1, 1]);
    expect(rleArea(result.masks[1])).toBe(6);
  });
  it("rejects runs that do not cover the mask", () => {
    expect(() => decodeRle({ size: [2, 2], counts: [1, 1] })).toThrow(/expected 2 x 2/);
  });
  it("tints only the mask's pixels", () => {
    const px = maskPixels({ size: [1, 2], counts: [1, 1] }, "#ff0080", 100);
    expect(Array.from(px)).toEqual([0, 0, 0, 0, 255, 0, 128, 100]);
  });
});

describe("threshold", () => {
  it("keeps detections at or above the threshold, best first", () => {
    expect(visibleDetections(result, 0.5).map((d) => d.name)).toEqual(["circle", "triangle"]);
    expect(visibleDetections(result, 0.7).map((d) => d.index)).toEqual([1, 2]);
    expect(visibleDetections(result, 0.99)).toEqual([]);
    expect(visibleDetections(result, 0).length).toBe(3);
  });
  it("gives every class a colour", () => {
    expect(classColour(1)).not.toEqual(classColour(2));
    expect(classColour(-1)).toMatch(/^#/);
  });
});

describe("drawing helpers", () => {
  it("sizes a dragged shape by twice the larger offset, clamped", () => {
    expect(dragSize(50, 50, 60, 45)).toBe(20);
    expect(dragSize(50, 50, 50, 50)).toBe(6);
    expect(dragSize(0, 0, 500, 0)).toBe(128);
  });
  it("builds an upright equilateral triangle centred on its box", () => {
    const [apex, right, left] = trianglePoints(64, 64, 40);
    expect(apex[0]).toBe(64);
    expect(right[1]).toBeCloseTo(left[1]);
    expect(right[0] - left[0]).toBe(40);
    expect(right[1] - apex[1]).toBeCloseTo((40 * Math.sqrt(3)) / 2);
  });
});
