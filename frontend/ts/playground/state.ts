// The playground's whole setup in the URL: a link reproduces the same data, network and
// training settings. Classroom links add `hide=` (controls to hide) and `classroom=<token>`.
//
//   /playground/?dataset=xor&hidden=4&activations=tanh&lr=0.1&m=10&...&hide=lr,momentum

import type { components } from "../api/schema";

export type Problem = "classification" | "regression";

/** The settings, generated from their serializer (nnweb.playground.messages.PlaygroundSettings). */
export type PlaygroundConfig = components["schemas"]["PlaygroundSettings"];

export interface UrlState {
  config: PlaygroundConfig;
  /** An imported model whose task the playground opens (?model=<id>). */
  model: string | null;
  /** A saved experiment to reopen (?experiment=<id>). */
  experiment: string | null;
  /** Controls a classroom link hides. */
  hide: string[];
  /** Neuron colouring in the diagram. */
  color: "a" | "u";
}

/** The state of a bare /playground/ URL. ``defaults`` are the server's (nnweb.playground.config
 * .Config, sent in the page as json_script "pg-defaults"): the settings have one source. */
export function defaultState(defaults: PlaygroundConfig): UrlState {
  return {
    config: cloneConfig(defaults),
    model: null,
    experiment: null,
    hide: [],
    color: "a",
  };
}

export function cloneConfig(c: PlaygroundConfig): PlaygroundConfig {
  return {
    ...c,
    features: [...c.features],
    hidden: [...c.hidden],
    activations: [...c.activations],
    added: c.added.map((p) => [...p]),
    removed: [...c.removed],
  };
}

// URL key of each config field (short where the notes have a short name).
const KEYS: Record<keyof PlaygroundConfig, string> = {
  dataset: "dataset",
  noise: "noise",
  n_samples: "n",
  train_ratio: "ratio",
  features: "features",
  hidden: "hidden",
  activations: "activations",
  problem: "problem",
  init: "init",
  seed: "seed",
  lr: "lr",
  batch_size: "m",
  momentum: "momentum",
  l2: "l2",
  speed: "speed",
  fps: "fps",
  added: "added",
  removed: "removed",
};

const NUMBER_FIELDS: (keyof PlaygroundConfig)[] = [
  "noise",
  "n_samples",
  "train_ratio",
  "seed",
  "lr",
  "batch_size",
  "momentum",
  "l2",
  "speed",
  "fps",
];

/** Shortest decimal text that reads back to the same number. */
function num(x: number): string {
  return String(x);
}

function encodePoints(points: number[][]): string {
  return points.map((p) => p.map(num).join(":")).join(";");
}

function decodePoints(text: string): number[][] {
  if (!text) return [];
  return text
    .split(";")
    .map((p) => p.split(":").map(Number))
    .filter((p) => p.length === 3 && p.every(Number.isFinite));
}

function list(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** The query string (without "?") for a state; every config field is written. */
export function toQuery(state: UrlState): string {
  const q = new URLSearchParams();
  const c = state.config;
  for (const field of Object.keys(KEYS) as (keyof PlaygroundConfig)[]) {
    const key = KEYS[field];
    const v = c[field];
    if (field === "added") {
      if (c.added.length) q.set(key, encodePoints(c.added));
    } else if (field === "removed") {
      if (c.removed.length) q.set(key, c.removed.join(","));
    } else if (Array.isArray(v)) {
      q.set(key, (v as (string | number)[]).join(","));
    } else if (typeof v === "number") {
      q.set(key, num(v));
    } else {
      q.set(key, String(v));
    }
  }
  if (state.model) q.set("model", state.model);
  if (state.experiment) q.set("experiment", state.experiment);
  if (state.hide.length) q.set("hide", state.hide.join(","));
  if (state.color !== "a") q.set("color", state.color);
  return q.toString();
}

/** A state read from a query string; missing or unreadable fields keep their defaults. */
export function fromQuery(search: string, defaults: PlaygroundConfig): UrlState {
  const q = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search);
  const state = defaultState(defaults);
  const c = state.config as unknown as Record<string, unknown>;
  for (const field of Object.keys(KEYS) as (keyof PlaygroundConfig)[]) {
    // a plain form submit repeats a key per ticked box (features=x1&features=x2)
    const all = q.getAll(KEYS[field]);
    if (!all.length) continue;
    const raw = all.length > 1 ? all.join(",") : all[0];
    if (NUMBER_FIELDS.includes(field)) {
      const v = Number(raw);
      if (raw.trim() !== "" && Number.isFinite(v)) c[field] = v;
    } else if (field === "features" || field === "activations") {
      c[field] = list(raw);
    } else if (field === "hidden") {
      const widths = list(raw).map(Number);
      if (widths.every((w) => Number.isInteger(w) && w > 0)) c[field] = widths;
    } else if (field === "added") {
      c[field] = decodePoints(raw);
    } else if (field === "removed") {
      c[field] = list(raw)
        .map(Number)
        .filter((v) => Number.isInteger(v) && v >= 0);
    } else if (field === "problem") {
      if (raw === "classification" || raw === "regression") c[field] = raw;
    } else {
      c[field] = raw;
    }
  }
  if (q.get("hidden") === "") state.config.hidden = [];
  state.model = q.get("model");
  state.experiment = q.get("experiment");
  state.hide = list(q.get("hide") ?? "");
  state.color = q.get("color") === "u" ? "u" : "a";
  return state;
}

/** Whether two configs describe the same setup. */
export function sameConfig(a: PlaygroundConfig, b: PlaygroundConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The config as the server's `configure` action expects it. */
export function configPayload(c: PlaygroundConfig): Record<string, unknown> {
  return { ...cloneConfig(c) };
}
