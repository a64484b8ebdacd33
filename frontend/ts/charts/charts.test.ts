import { describe, expect, it } from "vitest";
import { colorScale, luminance, pickMap, textOn, SERIES_COLORS } from "./colors";
import { fmt, summarizeMatrix, summarizeSeries } from "./text";

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe("colour maps", () => {
  it("uses a diverging map only for values of both signs", () => {
    expect(pickMap([-1, 0, 2])).toBe("diverging");
    expect(pickMap([0, 1, 2])).toBe("viridis");
    expect(pickMap([-3, -1], "cividis")).toBe("cividis");
  });

  it("centres the diverging map on zero: white-ish at 0, opposite hues at ±max", () => {
    const c = colorScale([-2, 0.5], "diverging");
    expect(luminance(c(0))).toBeGreaterThan(0.85);
    const neg = c(-2);
    const pos = c(2);
    expect(neg).not.toBe(pos);
    // Same distance from 0, same lightness: the sign is told by hue, the size by lightness.
    expect(Math.abs(luminance(neg) - luminance(pos))).toBeLessThan(0.08);
  });

  it("makes viridis monotone in lightness over the range", () => {
    const c = colorScale([0, 10], "viridis");
    const ls = [0, 2, 4, 6, 8, 10].map((v) => luminance(c(v)));
    for (let i = 1; i < ls.length; i++) expect(ls[i]).toBeGreaterThan(ls[i - 1]);
  });

  it("writes cell labels in the colour that contrasts at least 4.5:1", () => {
    const c = colorScale([0, 1], "viridis");
    for (const v of [0, 0.25, 0.5, 0.75, 1]) {
      const bg = c(v);
      expect(contrast(textOn(bg), bg)).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("gives lines colours that differ from a white page by 3:1 (UI parts)", () => {
    for (const color of SERIES_COLORS.slice(0, 3)) {
      expect(contrast(color, "#ffffff")).toBeGreaterThanOrEqual(3);
    }
  });
});

describe("text alternatives", () => {
  it("summarises a series: extent, first and last, lowest and highest", () => {
    const s = summarizeSeries(
      {
        label: "validation loss",
        points: [
          [1, 0.9],
          [2, 0.4],
          [3, 0.5],
        ],
      },
      "epoch",
    );
    expect(s).toBe(
      "validation loss: 3 points over epoch 1–3, from 0.9 to 0.5, " +
        "lowest 0.4 at epoch 2, highest 0.9 at epoch 1.",
    );
    expect(summarizeSeries({ label: "loss", points: [] }, "epoch")).toBe("loss: no data yet.");
  });

  it("summarises a matrix by its size and range, ignoring NaN", () => {
    expect(
      summarizeMatrix("W", [
        [1, -2, NaN],
        [0.5, 3, 4],
      ]),
    ).toBe("W: 2 × 3 values from -2 to 4.");
  });

  it("formats numbers readably and never prints NaN", () => {
    expect(fmt(0.123456)).toBe("0.1235");
    expect(fmt(1234567)).toBe("1.23e+6");
    expect(fmt(NaN)).toBe("—");
  });
});
