import { describe, expect, it } from "vitest";
import {
  checkAnswer,
  correlate2d,
  extent,
  flattenIndex,
  fmt,
  isMatrix,
  outputSize,
  parseNumber,
  softmax,
} from "./lesson_math";

describe("lesson_math", () => {
  it("convolves the notes' 5x5 image with the X kernel", () => {
    const img = [
      [1, 1, 1, 0, 0],
      [0, 1, 1, 1, 0],
      [0, 0, 1, 1, 1],
      [0, 0, 1, 1, 0],
      [0, 1, 1, 0, 0],
    ];
    const k = [
      [1, 0, 1],
      [0, 1, 0],
      [1, 0, 1],
    ];
    expect(correlate2d(img, k)).toEqual([
      [4, 3, 4],
      [2, 4, 3],
      [2, 3, 4],
    ]);
  });

  it("uses the corrected output-size formula", () => {
    expect(outputSize(28, 3, 0, 1)).toBe(26);
    expect(outputSize(7, 3, 0, 2)).toBe(3);
    expect(outputSize(7, 3, 0, 3)).toBe(2);
    expect(outputSize(5, 3, 2, 1)).toBe(5);
  });

  it("formats numbers for the grids", () => {
    expect(fmt(3)).toBe("3");
    expect(fmt(0.5)).toBe("0.5");
    expect(fmt(1 / 3)).toBe("0.333");
    expect(fmt(-0.0001)).toBe("0");
    expect(fmt(null)).toBe("—");
    expect(fmt(Infinity)).toBe("∞");
  });

  it("checks quiz answers", () => {
    expect(checkAnswer(" 26 ", ["26"])).toBe(true);
    expect(checkAnswer("2.43", ["2.4286"])).toBe(true);
    expect(checkAnswer("25", ["26"])).toBe(false);
    expect(checkAnswer("Max", ["max"])).toBe(true);
    expect(checkAnswer("", ["0"])).toBe(false);
    expect(parseNumber("−1,5")).toBe(-1.5);
  });

  it("softmax sums to one and flatten indexes row-major", () => {
    const p = softmax([1000, 1000, 0]);
    expect(p[0]).toBeCloseTo(0.5);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(flattenIndex(1, 0, 2, 3, 4)).toBe(14);
    expect(isMatrix([[1, 2], [3]])).toBe(false);
    expect(
      extent([
        [1, -2],
        [5, 0],
      ]),
    ).toEqual([-2, 5]);
  });
});

import { receptiveField } from "./receptive_field";

describe("receptive field", () => {
  it("grows by k - 1 per layer and stops at the edges", () => {
    expect(receptiveField(4, 3, 2, 9)).toEqual([2, 6]);
    expect(receptiveField(0, 3, 2, 9)).toEqual([0, 2]);
    expect(receptiveField(4, 5, 1, 9)).toEqual([2, 6]);
  });
});
