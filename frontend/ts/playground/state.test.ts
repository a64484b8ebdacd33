import { describe, expect, it } from "vitest";
import {
  defaultState,
  fromQuery as fromQueryWith,
  toQuery,
  type PlaygroundConfig,
  type UrlState,
} from "./state";

// Settings as the server sends them in the page (json_script "pg-defaults"); deliberately not
// the server's values, so the tests show that every default comes from them.
const DEFAULT_CONFIG: PlaygroundConfig = {
  dataset: "circle",
  noise: 0.2,
  n_samples: 120,
  train_ratio: 0.6,
  features: ["x1", "x2"],
  hidden: [3, 2],
  activations: ["relu", "relu"],
  problem: "classification",
  init: "auto",
  seed: 7,
  lr: 0.1,
  batch_size: 8,
  momentum: 0,
  l2: 0,
  speed: 4,
  fps: 30,
  added: [],
  removed: [],
};
const fromQuery = (search: string) => fromQueryWith(search, DEFAULT_CONFIG);

describe("playground URL state", () => {
  it("round-trips every config field", () => {
    const s: UrlState = {
      config: {
        dataset: "spiral",
        noise: 0.25,
        n_samples: 300,
        train_ratio: 0.7,
        features: ["x1", "x2", "x1^2", "sin_x2"],
        hidden: [8, 8, 3],
        activations: ["relu", "tanh", "sigmoid"],
        problem: "regression",
        init: "he",
        seed: 42,
        lr: 0.003,
        batch_size: 16,
        momentum: 0.9,
        l2: 0.0001,
        speed: 5,
        fps: 25,
        added: [
          [0.5, -0.25, 1],
          [-1e-7, 2, 0],
        ],
        removed: [3, 17],
      },
      model: "12",
      experiment: "7",
      hide: ["lr", "hidden"],
      color: "u",
    };
    const back = fromQuery(toQuery(s));
    expect(back).toEqual(s);
  });

  it("round-trips the defaults and an empty hidden list", () => {
    expect(fromQuery(toQuery(defaultState(DEFAULT_CONFIG)))).toEqual(defaultState(DEFAULT_CONFIG));
    const s = defaultState(DEFAULT_CONFIG);
    s.config.hidden = [];
    s.config.activations = [];
    expect(fromQuery(`?${toQuery(s)}`).config.hidden).toEqual([]);
  });

  it("keeps defaults for missing or unreadable fields", () => {
    const s = fromQuery("lr=abc&hidden=4,x&problem=nonsense&seed=&m=32");
    expect(s.config.lr).toBe(DEFAULT_CONFIG.lr);
    expect(s.config.hidden).toEqual(DEFAULT_CONFIG.hidden);
    expect(s.config.problem).toBe("classification");
    expect(s.config.seed).toBe(DEFAULT_CONFIG.seed);
    expect(s.config.batch_size).toBe(32);
    expect(s.hide).toEqual([]);
  });

  it("reads the repeated keys of a plain form submit", () => {
    const s = fromQuery("features=x1&features=x2&features=x1x2&hidden=3");
    expect(s.config.features).toEqual(["x1", "x2", "x1x2"]);
    expect(s.config.hidden).toEqual([3]);
  });

  it("reads a classroom link's hidden controls", () => {
    const s = fromQuery("?dataset=xor&hide=lr,momentum,,l2");
    expect(s.hide).toEqual(["lr", "momentum", "l2"]);
    expect(s.config.dataset).toBe("xor");
  });
});
