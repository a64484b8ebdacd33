import { describe, expect, it } from "vitest";
import { refusalCode, refusalText } from "./client";

describe("playground refusals", () => {
  it("leads with the field only when the detail does not name it", () => {
    expect(
      refusalText([
        {
          code: "invalid",
          detail: "hidden layer 2: '4x' is not a whole number",
          attr: "config.hidden.1",
        },
        { code: "invalid", detail: "A valid integer is required.", attr: "sample" },
        { code: "stage", detail: "finish the forward pass first", attr: null },
      ]),
    ).toBe(
      "hidden layer 2: '4x' is not a whole number; sample: A valid integer is required.; " +
        "finish the forward pass first",
    );
  });

  it("reads the first error's code", () => {
    expect(
      refusalCode({ type: "error", errors: [{ code: "stage", detail: "x", attr: null }] }),
    ).toBe("stage");
    expect(refusalCode({ type: "error", errors: [] })).toBe("");
  });
});
