// The instructor's live lab view: one tile per student from ws/classes/<id>/live/.
//
// Tiles come for the students listed when the page loaded and for anyone who joined the class
// since (their tile is added, in name order, when their playground first reports). A refusal
// (close code 4401/4403/4404, or the server's "error" message that precedes it) ends the view:
// reconnecting could not succeed, so the page says why instead of retrying forever.
import type { components } from "../api/schema";
import { ReconnectingSocket, wsUrl } from "../api/ws";
import { drawThumb } from "./thumb";

/** One student's tile, generated from its serializer (nnweb.core.ws_schema.LiveTileSerializer). */
export type Tile = components["schemas"]["LiveTile"];

/** Close codes after which reconnecting cannot help. */
export const REFUSED = new Set([4401, 4403, 4404]);

function numbers(t: Tile): string {
  const acc = t.test_accuracy === null ? "" : `test acc ${(t.test_accuracy * 100).toFixed(1)}% · `;
  const loss = acc || t.test_loss === null ? "" : `test E ${t.test_loss.toPrecision(3)} · `;
  return `${acc}${loss}iteration ${t.iteration} · ${t.stage}`;
}

/** A tile for a student the page did not list at load, in name order. */
function newTile(host: HTMLElement, t: Tile): HTMLElement {
  host.querySelector(":scope > .empty")?.remove();
  const li = document.createElement("li");
  li.className = "live-tile";
  li.dataset.student = String(t.student);
  li.dataset.username = t.username;
  const a = document.createElement("a");
  a.href = `${host.dataset.snapshotBase}${t.student}/`;
  const canvas = document.createElement("canvas");
  canvas.width = 16;
  canvas.height = 16;
  canvas.setAttribute("aria-hidden", "true");
  const name = document.createElement("span");
  name.className = "tile-name";
  name.textContent = t.username;
  const nums = document.createElement("span");
  nums.className = "tile-numbers";
  a.append(canvas, name, nums);
  li.append(a);
  const after = [...host.querySelectorAll<HTMLElement>(".live-tile")].find(
    (other) => (other.dataset.username ?? "").localeCompare(t.username) > 0,
  );
  host.insertBefore(li, after ?? null);
  return li;
}

export function applyTile(host: HTMLElement, t: Tile): void {
  const li =
    host.querySelector<HTMLElement>(`.live-tile[data-student="${t.student}"]`) ?? newTile(host, t);
  li.dataset.iteration = String(t.iteration);
  li.dataset.accuracy = t.test_accuracy === null ? "" : String(t.test_accuracy);
  li.dataset.stage = t.stage;
  li.querySelector(".tile-numbers")!.textContent =
    `${t.dataset} ${t.hidden.join("-") || "no hidden"} · ${numbers(t)}`;
  const canvas = li.querySelector("canvas");
  if (canvas) drawThumb(canvas, t.thumb);
}

export function liveView(host: HTMLElement, status: HTMLElement | null): void {
  let socket: ReconnectingSocket | null = null;
  let refused = false;
  const refuse = (why: string) => {
    if (refused) return;
    refused = true;
    socket?.close();
    host.dataset.socket = "refused";
    if (status) {
      status.textContent = `The live view stopped: ${why} Reload the page once this is sorted out.`;
      status.hidden = false;
    }
  };
  // A WebSocket that reports a refusal before ReconnectingSocket's own close handler runs
  // (listeners added here fire first), so that handler finds the socket closed on purpose.
  class WatchedSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("close", (ev) => {
        if (REFUSED.has(ev.code)) refuse(ev.reason || "the server refused this live view.");
      });
    }
  }
  socket = new ReconnectingSocket(wsUrl(host.dataset.wsPath!), {
    WebSocketImpl: WatchedSocket,
    onMessage: (data) => {
      const msg = data as { type: string; tiles?: Tile[]; errors?: { detail: string }[] };
      if (msg.type === "tiles") for (const t of msg.tiles ?? []) applyTile(host, t);
      else if (msg.type === "error")
        refuse(msg.errors?.[0]?.detail ?? "the server refused this live view.");
    },
    onState: (state) => {
      if (!refused) host.dataset.socket = state;
    },
  });
  window.addEventListener("pagehide", () => socket?.close());
}
