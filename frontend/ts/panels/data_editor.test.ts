import { describe, expect, it } from "vitest";
import { editMessage, nearestPoint } from "./data_editor";

describe("data editor", () => {
  const X = [
    [0, 0],
    [1, 1],
    [-1, 0.5],
  ];
  it("finds the nearest point to remove", () => {
    expect(nearestPoint(X, 0.9, 0.8)).toBe(1);
    expect(editMessage(X, -0.8, 0.4, true, 0)).toEqual({ action: "remove_point", index: 2 });
    expect(editMessage([], 0, 0, true, 0)).toBeNull();
  });
  it("adds a point with the chosen class", () => {
    expect(editMessage(X, 0.25, -0.5, false, 1)).toEqual({
      action: "add_point",
      point: [0.25, -0.5, 1],
    });
  });
});
