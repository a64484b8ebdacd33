// A small reconnecting websocket: JSON messages, exponential back-off, a queue for
// messages sent while disconnected, and state callbacks (for the live indicator).

export type SocketState = "connecting" | "open" | "closed";

export interface ReconnectingSocketOptions {
  /** First retry delay in ms (doubles up to maxDelay). */
  minDelay?: number;
  maxDelay?: number;
  onMessage?: (data: unknown) => void;
  onState?: (state: SocketState) => void;
  /** For tests: the WebSocket constructor to use. */
  WebSocketImpl?: typeof WebSocket;
}

/** ws:// or wss:// URL for a path on this page's host. */
export function wsUrl(
  path: string,
  loc: Pick<Location, "protocol" | "host"> = window.location,
): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}${path.startsWith("/") ? path : `/${path}`}`;
}

/** Delay before retry number `attempt` (0-based). */
export function backoffDelay(attempt: number, minDelay = 500, maxDelay = 10_000): number {
  return Math.min(maxDelay, minDelay * 2 ** Math.max(0, attempt));
}

export class ReconnectingSocket {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closedByUser = false;
  private queue: string[] = [];
  state: SocketState = "closed";

  constructor(
    readonly url: string,
    private readonly options: ReconnectingSocketOptions = {},
  ) {
    this.connect();
  }

  private setState(state: SocketState): void {
    this.state = state;
    this.options.onState?.(state);
  }

  private connect(): void {
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    this.setState("connecting");
    const socket = new Impl(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setState("open");
      for (const message of this.queue.splice(0)) socket.send(message);
    };
    socket.onmessage = (event: MessageEvent) => {
      let data: unknown = event.data;
      if (typeof data === "string") {
        try {
          data = JSON.parse(data);
        } catch {
          /* keep the raw text */
        }
      }
      this.options.onMessage?.(data);
    };
    socket.onclose = () => {
      this.socket = null;
      this.setState("closed");
      if (!this.closedByUser) this.scheduleReconnect();
    };
    socket.onerror = () => {
      // onclose follows and schedules the retry.
    };
  }

  private scheduleReconnect(): void {
    const delay = backoffDelay(this.attempt++, this.options.minDelay, this.options.maxDelay);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Send a JSON message now, or as soon as the socket is open. */
  send(message: unknown): void {
    const text = typeof message === "string" ? message : JSON.stringify(message);
    if (this.socket && this.state === "open") this.socket.send(text);
    else this.queue.push(text);
  }

  close(): void {
    this.closedByUser = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
  }
}
