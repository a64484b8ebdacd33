// Shapes of the playground server's messages, generated from their serializers
// (nnweb/playground/messages.py, published as schema components; `bash scripts/api_types.sh
// --write` regenerates frontend/ts/api/schema.d.ts). tests/web/playground/test_messages.py
// checks the replies the server really sends against the same components.
import type { components } from "../api/schema";
import type { PlaygroundConfig } from "./state";

type Schemas = components["schemas"];

export type Matrix = number[][];
export type Params = Record<string, Matrix | number[]>;

export type LayerView = Schemas["LayerView"];
export type StageView = Schemas["PlaygroundStageMessage"];
export type NetworkView = Schemas["NetworkView"];
/** The settings are typed by the page's own PlaygroundConfig (its defaults come from them). */
export type StateView = Omit<Schemas["PlaygroundStateMessage"], "config"> & {
  config: PlaygroundConfig;
};
export type Metrics = Schemas["PlaygroundMetrics"];
export type MetricsView = Schemas["PlaygroundMetricsMessage"];
export type GradcheckRow = Schemas["GradcheckRow"];
export type GradcheckView = Schemas["PlaygroundGradcheckMessage"];
/** Any action message the page sends (the REST action body: one serializer per action). */
export type ActionMessage = Schemas["PlaygroundActionRequest"];
/** A refusal on the socket: the REST API's error items (nnweb.playground.errors.ws_reply). */
export type ErrorView = Schemas["WsErrorMessage"];
/** The reply to one action, REST and socket alike, told apart by its `type` (the socket
 * sends a frame as binary, REST as PlaygroundFrameReply). */
export type ActionReply = Schemas["PlaygroundActionReply"];
/** A session saved as an experiment (the "save" action, POST /api/playground/experiments/). */
export type ExperimentSaved = Schemas["ExperimentSaved"];
/** An instructor's classroom link (POST /api/playground/classroom-links/). */
export type ClassroomLink = Schemas["ClassroomLink"];

/** [iteration, train E, test E, train accuracy, test accuracy]; null where one does not apply. */
export type HistoryPoint = (number | null)[];

/** A history point as the page keeps it: NaN, not null, where a number does not apply (the
 * panels test numbers with Number.isFinite). */
export function historyRow(point: HistoryPoint): number[] {
  return point.map((v) => v ?? NaN);
}
