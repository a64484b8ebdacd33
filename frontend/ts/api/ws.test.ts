import { describe, expect, it } from "vitest";
import { backoffDelay, wsUrl } from "./ws";
import { errorMessage, getCookie } from "./http";

describe("wsUrl", () => {
  it("uses ws: for http and wss: for https", () => {
    expect(wsUrl("/ws/core/ping/", { protocol: "http:", host: "127.0.0.1:8000" })).toBe(
      "ws://127.0.0.1:8000/ws/core/ping/",
    );
    expect(wsUrl("ws/x/", { protocol: "https:", host: "example.org" })).toBe(
      "wss://example.org/ws/x/",
    );
  });
});

describe("backoffDelay", () => {
  it("doubles and is capped", () => {
    expect(backoffDelay(0, 500, 10_000)).toBe(500);
    expect(backoffDelay(3, 500, 10_000)).toBe(4000);
    expect(backoffDelay(20, 500, 10_000)).toBe(10_000);
  });
});

describe("http helpers", () => {
  it("reads a cookie by name", () => {
    expect(getCookie("csrftoken", "a=1; csrftoken=abc%3D; b=2")).toBe("abc=");
    expect(getCookie("missing", "a=1")).toBeNull();
  });
  it("turns DRF error bodies into messages", () => {
    expect(errorMessage(403, { detail: "Only instructors may do this." })).toBe(
      "Only instructors may do this.",
    );
    expect(errorMessage(400, { n: ["Too large."] })).toBe("n: Too large.");
    expect(errorMessage(500, "")).toBe("Request failed with status 500");
  });
});
