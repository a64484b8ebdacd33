// The playground's websocket client: JSON actions with replies matched by id, binary frames
// while playing, refusals passed to onError.
import type { ApiErrorItem } from "../api/http";
import { wsUrl } from "../api/ws";
import { decodeFrame, type Frame } from "./frame";
import type { ActionMessage, ErrorView } from "./types";

export interface ClientHandlers {
  onFrame?: (frame: Frame) => void;
  onMessage?: (msg: Record<string, unknown>) => void;
  onError?: (msg: ErrorView) => void;
  onClose?: () => void;
}

export class PlaygroundClient {
  private socket: WebSocket;
  private nextId = 1;
  private pending = new Map<number, (reply: Record<string, unknown>) => void>();
  readonly ready: Promise<void>;

  constructor(
    readonly sessionId: string,
    private readonly handlers: ClientHandlers = {},
  ) {
    this.socket = new WebSocket(wsUrl(`/ws/playground/${sessionId}/`));
    this.socket.binaryType = "arraybuffer";
    this.ready = new Promise((resolve, reject) => {
      this.socket.addEventListener("open", () => resolve(), { once: true });
      this.socket.addEventListener("error", () => reject(new Error("websocket failed")), {
        once: true,
      });
    });
    this.socket.addEventListener("message", (ev) => this.receive(ev));
    this.socket.addEventListener("close", () => {
      for (const resolve of this.pending.values())
        resolve({
          type: "error",
          errors: [{ code: "closed", detail: "connection closed", attr: null }],
        });
      this.pending.clear();
      this.handlers.onClose?.();
    });
  }

  private receive(ev: MessageEvent): void {
    if (ev.data instanceof ArrayBuffer) {
      const frame = decodeFrame(ev.data);
      if (frame.meta.type === "error") this.handlers.onError?.(frame.meta as never);
      else this.handlers.onFrame?.(frame);
      return;
    }
    const msg = JSON.parse(ev.data as string) as Record<string, unknown>;
    const id = msg.id as number | undefined;
    if (id !== undefined && this.pending.has(id)) {
      const resolve = this.pending.get(id)!;
      this.pending.delete(id);
      resolve(msg);
      return;
    }
    if (msg.type === "error") this.handlers.onError?.(msg as never);
    else this.handlers.onMessage?.(msg);
  }

  /** Send an action; resolves with its reply (an error reply included). */
  async send<T = Record<string, unknown>>(msg: ActionMessage): Promise<T> {
    await this.ready;
    const id = this.nextId++;
    return new Promise<T>((resolve) => {
      this.pending.set(id, resolve as (r: Record<string, unknown>) => void);
      this.socket.send(JSON.stringify({ ...msg, id }));
    });
  }

  /** Send an action whose answer comes as a binary frame (or an error). */
  async fire(msg: ActionMessage): Promise<void> {
    await this.ready;
    this.socket.send(JSON.stringify(msg));
  }

  close(): void {
    this.socket.close();
  }
}

/** A refusal as one line for the page: each error's detail, led by its field unless the
 * detail already names it ("hidden layer 2: '4x' is not a whole number" names config.hidden.1). */
export function refusalText(errors: ApiErrorItem[]): string {
  return errors
    .map((e) => {
      const name = (e.attr ?? "").split(".").find((p) => p !== "config" && !/^\d+$/.test(p));
      return name && !e.detail.includes(name) ? `${e.attr}: ${e.detail}` : e.detail;
    })
    .join("; ");
}

/** The code of a refusal ("stage" is guidance, not an error). */
export function refusalCode(e: ErrorView): string {
  return e.errors[0]?.code ?? "";
}
