import { describe, expect, it } from "vitest";
import { estimateEta, formatEta, formatNumber, isFinished } from "./progress";
import { rowShares } from "./confusion";
import { csvHeader, formatFromName } from "../pages/datasets";

describe("training progress", () => {
  it("formats the ETA", () => {
    expect(formatEta(null)).toBe("");
    expect(formatEta(4.4)).toBe("about 4 s left");
    expect(formatEta(65)).toBe("about 1 min 5 s left");
    expect(formatEta(3 * 3600 + 120)).toBe("about 3 h 2 min left");
  });
  it("estimates the ETA from the steps done", () => {
    expect(estimateEta(25, 100, 10)).toBeCloseTo(30);
    expect(estimateEta(0, 100, 10)).toBeNull();
    expect(estimateEta(100, 100, 10)).toBe(0);
  });
  it("formats numbers and statuses", () => {
    expect(formatNumber(null)).toBe("—");
    expect(formatNumber(0.12345, 3)).toBe("0.123");
    expect(isFinished("succeeded")).toBe(true);
    expect(isFinished("running")).toBe(false);
  });
  it("normalises confusion rows", () => {
    expect(
      rowShares([
        [3, 1],
        [0, 0],
      ]),
    ).toEqual([
      [0.75, 0.25],
      [0, 0],
    ]);
  });
});

describe("dataset upload helpers", () => {
  it("reads CSV headers with quotes", () => {
    expect(csvHeader('a,"b, c",d\r')).toEqual(["a", "b, c", "d"]);
    expect(csvHeader('x,"say ""hi"""')).toEqual(["x", 'say "hi"']);
  });
  it("guesses the format from the file name", () => {
    expect(formatFromName("Iris.CSV")).toBe("csv");
    expect(formatFromName("imgs.zip")).toBe("image_zip");
    expect(formatFromName("d.npz")).toBe("npz");
    expect(formatFromName("x.txt")).toBe("");
  });
});
