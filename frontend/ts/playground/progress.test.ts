import { describe, expect, it } from "vitest";
import { metricsText, row, stallHint } from "./progress";

describe("metrics line and stall hint", () => {
  it("shows losses and accuracy", () => {
    expect(metricsText(row([40, 0.51234, 0.6, 0.7, 0.75]), 40)).toBe(
      "it. 40 · train loss 0.5123 · test 0.6000 · test acc. 75.0%",
    );
    expect(metricsText(null, 0)).toBe("iteration 0");
  });
  it("hints when the test loss stops falling below 90% accuracy", () => {
    const flat = Array.from({ length: 60 }, (_, k) => [10 * k, 0.5, 0.5, 0.7, 0.7]);
    expect(stallHint(flat)).toMatch(/raise η or the speed/);
    const learning = Array.from({ length: 60 }, (_, k) => [
      10 * k,
      1 / (k + 1),
      1 / (k + 1),
      0.7,
      0.7,
    ]);
    expect(stallHint(learning)).toBeNull();
    const solved = flat.map((r) => [r[0], r[1], r[2], 0.97, 0.97]);
    expect(stallHint(solved)).toBeNull();
    expect(stallHint(flat.slice(0, 10))).toBeNull(); // too early to say
  });
});
