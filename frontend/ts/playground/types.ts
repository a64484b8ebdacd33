// Shapes of the playground server's messages (nnweb/playground/session.py views, actions.py).
import type { ApiErrorItem } from "../api/http";
import type { PlaygroundConfig } from "./state";

export type Matrix = number[][];

export interface LayerView {
  l: number;
  activation: string;
  n_in: number;
  n_out: number;
  u?: Matrix;
  a?: Matrix;
  /** f'(u) as the engine computes it (not for softmax, whose backward is its own rule). */
  f_prime?: Matrix;
  dE_da?: Matrix | null;
  delta?: Matrix;
  dE_dW?: Matrix;
  dE_db?: number[];
}

export type Params = Record<string, Matrix | number[]>;

export interface StageView {
  type: "stage";
  action: string;
  phase: "idle" | "forward" | "backward" | "updated";
  l: number | null;
  L: number;
  forward_done: number;
  backward_done: number;
  next: "forward" | "backward" | "update";
  iteration: number;
  epoch: number;
  selection: { kind: string; indices: number[]; x: Matrix; t: number[] | Matrix };
  m: number;
  layers: LayerView[];
  a0?: Matrix;
  trace_params?: Params;
  loss?: number;
  losses?: number[];
  y_hat?: Matrix;
  update?: Params;
  params?: Params;
  per_sample?: Record<string, number[][][] | number[][]>;
  mean?: Params;
  metrics?: number[] | null;
}

export interface NetworkView {
  sizes: number[];
  activations: string[];
  loss: "cross_entropy" | "half_sse";
  inputs: string[];
  input_labels: string[];
  fixed: boolean;
}

export interface StateView {
  type: "state";
  session: string;
  config: PlaygroundConfig;
  limits: Record<string, number>;
  network: NetworkView;
  params: Params;
  data: {
    source: string;
    problem: "classification" | "regression";
    n_classes: number;
    class_names: string[];
    X: Matrix;
    y: number[] | Matrix;
    train_idx: number[];
    test_idx: number[];
    extent: [number, number][] | null;
    n_inputs: number;
  };
  grid: number | null;
  thumb: number | null;
  iteration: number;
  epoch: number;
  playing: boolean;
  history: number[][];
  stage: StageView;
  /** Loss and accuracy of the network now, on the data now (after an edit of the data too). */
  metrics: Metrics;
}

export interface Metrics {
  train_loss: number;
  test_loss: number | null;
  train_acc: number | null;
  test_acc: number | null;
}

export interface MetricsView {
  type: "metrics";
  action: string;
  iteration: number;
  epoch: number;
  playing: boolean;
  train_loss: number;
  test_loss: number | null;
  train_acc: number | null;
  test_acc: number | null;
  history: number[][];
  params: Params;
}

export interface GradcheckRow {
  name: string;
  rel_error: number;
  ok: boolean;
  entries: { index: number[]; backprop: number; numeric: number }[];
}

export interface GradcheckView {
  type: "gradcheck";
  eps: number;
  ok: boolean;
  rows: GradcheckRow[];
}

/** A refusal on the socket: the REST API's error items (nnweb.playground.errors.ws_reply). */
export interface ErrorView {
  type: "error";
  errors: ApiErrorItem[];
}
