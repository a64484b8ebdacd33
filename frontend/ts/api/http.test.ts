import { describe, expect, it } from "vitest";
import { errorMessage } from "./http";

describe("errorMessage", () => {
  it("reads the API's error items, naming the field", () => {
    const body = {
      type: "validation_error",
      errors: [
        { code: "required", detail: "This field is required.", attr: "n" },
        { code: "invalid", detail: "Expected a dictionary.", attr: "non_field_errors" },
      ],
    };
    expect(errorMessage(400, body)).toBe("n: This field is required.; Expected a dictionary.");
  });

  it("falls back to the status when the body says nothing", () => {
    expect(errorMessage(502, "")).toBe("Request failed with status 502");
  });
});
