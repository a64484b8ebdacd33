// The live-connection indicator in the header: a websocket to the ping consumer
// (/ws/core/ping/) that pings every few seconds; the element's data-state is
// "live" while pongs come back and "offline" otherwise.
import type { components } from "../api/schema";
import { ReconnectingSocket, wsUrl } from "../api/ws";

// The ping socket's messages, typed from the API schema's components (nnweb/core/ws_schema.py).
type PingSent = components["schemas"]["PingClientMessage"];
type PingReceived =
  components["schemas"]["PingServerMessage"] | components["schemas"]["WsErrorMessage"];

export type IndicatorState = "live" | "connecting" | "offline";

export function setIndicator(el: HTMLElement, state: IndicatorState): void {
  el.dataset.state = state;
  el.textContent = state === "live" ? "live" : state === "connecting" ? "connecting…" : "offline";
}

export function startLiveIndicator(el: HTMLElement, intervalMs = 15_000): ReconnectingSocket {
  let counter = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  const socket = new ReconnectingSocket(wsUrl(el.dataset.wsPath ?? "/ws/core/ping/"), {
    onState: (state) => {
      if (state === "open") {
        setIndicator(el, "connecting");
        const ping = (): PingSent => ({ type: "ping", id: ++counter });
        socket.send(ping());
        timer ??= setInterval(() => socket.send(ping()), intervalMs);
      } else {
        setIndicator(el, state === "connecting" ? "connecting" : "offline");
      }
    },
    onMessage: (data) => {
      const type = (data as PingReceived | null)?.type;
      if (type === "pong" || type === "hello") setIndicator(el, "live");
    },
  });
  window.addEventListener("beforeunload", () => {
    if (timer) clearInterval(timer);
    socket.close();
  });
  return socket;
}
