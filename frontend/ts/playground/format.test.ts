import * as d3 from "d3";
import { describe, expect, it } from "vitest";
import { contrast, fmt4, fmtShort, parseColor, textOn } from "./format";

describe("number format", () => {
  it("keeps 4 significant digits and drops trailing zeros", () => {
    expect(fmt4(0.123456789)).toBe("0.1235");
    expect(fmt4(-12.3456)).toBe("-12.35");
    expect(fmt4(2)).toBe("2");
    expect(fmt4(0.5)).toBe("0.5");
    expect(fmt4(1234.5678)).toBe("1235");
    expect(fmt4(0.00012346)).toBe("1.235e-4");
    expect(fmt4(123456789)).toBe("1.235e8");
    expect(fmt4(0)).toBe("0");
    expect(fmt4(null)).toBe("–");
    expect(fmt4(Number.NaN)).toBe("–");
  });
  it("writes at most 5 characters (and a sign) in a neuron for the usual range", () => {
    for (const x of [0.98765, -0.98765, 0.123, -0.0456, 1.5, -2.345, 12.34, -999.9]) {
      expect(fmtShort(x).replace("-", "").length).toBeLessThanOrEqual(5);
      expect(Math.abs(Number(fmtShort(x)) - x)).toBeLessThanOrEqual(Math.abs(x) * 0.05 + 1e-12);
    }
    expect(fmtShort(0.001234)).toBe("1e-3"); // tiny values: the order of magnitude
  });
});

describe("text colour on a fill", () => {
  it("is white on navy and black on pale fills", () => {
    expect(textOn("#08306b")).toBe("#ffffff");
    expect(textOn("#053061")).toBe("#ffffff");
    expect(textOn("#f7f7f7")).toBe("#000000");
    expect(textOn("rgb(253, 219, 199)")).toBe("#000000");
  });
  it("reaches 4.5:1 on every colour of the diverging map the diagram uses", () => {
    for (let k = 0; k <= 100; k++) {
      const fill = d3.interpolateRdBu(k / 100);
      const c = contrast(parseColor(fill), parseColor(textOn(fill)));
      expect(c).toBeGreaterThanOrEqual(4.5);
    }
  });
});
