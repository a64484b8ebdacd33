// Class pages: the assignment form shows the fields of the chosen kind; the live lab view
// draws one tile per student from ws/classes/<id>/live/ and sends a setup to the class; the
// snapshot page draws the student's decision boundary.
import "../styles/classes.css";
import { ApiError, postJSON } from "../api/http";
import { ReconnectingSocket, wsUrl } from "../api/ws";
import { drawThumb, type Thumb } from "../classes/thumb";

interface Tile {
  student: number;
  username: string;
  iteration: number;
  stage: string;
  dataset: string;
  hidden: number[];
  test_accuracy: number | null;
  test_loss: number | null;
  thumb: Thumb | null;
}

function assignmentForm(form: HTMLFormElement): void {
  const kind = form.querySelector<HTMLSelectElement>("select[name=kind]");
  if (!kind) return;
  const sync = () => {
    for (const fs of form.querySelectorAll<HTMLFieldSetElement>("fieldset[data-kind]")) {
      const on = fs.dataset.kind === kind.value;
      fs.hidden = !on;
      fs.disabled = !on;
    }
  };
  kind.addEventListener("change", sync);
  sync();
}

function numbers(t: Tile): string {
  const acc = t.test_accuracy === null ? "" : `test acc ${(t.test_accuracy * 100).toFixed(1)}% · `;
  const loss = acc || t.test_loss === null ? "" : `test E ${t.test_loss.toPrecision(3)} · `;
  return `${acc}${loss}iteration ${t.iteration} · ${t.stage}`;
}

export function applyTile(host: HTMLElement, t: Tile): void {
  const li = host.querySelector<HTMLElement>(`.live-tile[data-student="${t.student}"]`);
  if (!li) return; // a student who joined after the page loaded: shown on reload
  li.dataset.iteration = String(t.iteration);
  li.dataset.accuracy = t.test_accuracy === null ? "" : String(t.test_accuracy);
  li.dataset.stage = t.stage;
  li.querySelector(".tile-numbers")!.textContent =
    `${t.dataset} ${t.hidden.join("-") || "no hidden"} · ${numbers(t)}`;
  const canvas = li.querySelector("canvas");
  if (canvas) drawThumb(canvas, t.thumb);
}

function liveView(host: HTMLElement): void {
  const socket = new ReconnectingSocket(wsUrl(host.dataset.wsPath!), {
    onMessage: (data) => {
      const msg = data as { type: string; tiles?: Tile[]; errors?: { detail: string }[] };
      if (msg.type === "tiles") for (const t of msg.tiles ?? []) applyTile(host, t);
      else if (msg.type === "error") host.dataset.error = msg.errors?.[0]?.detail ?? "error";
    },
    onState: (state) => (host.dataset.socket = state),
  });
  window.addEventListener("pagehide", () => socket.close());
}

function sendForm(form: HTMLFormElement): void {
  const status = form.querySelector<HTMLElement>("#send-status")!;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const link = form.querySelector<HTMLSelectElement>("select[name=link]")!.value;
    status.textContent = "Sending…";
    try {
      const setup = await postJSON<{ title: string }>(form.dataset.url!, { link });
      status.textContent = `Sent “${setup.title}” to every open playground.`;
    } catch (err) {
      status.textContent = err instanceof ApiError ? err.message : String(err);
    }
  });
}

function snapshot(canvas: HTMLCanvasElement): void {
  const data = canvas.dataset.thumb;
  if (!data) return;
  drawThumb(canvas, { kind: canvas.dataset.kind as Thumb["kind"], side: 16, data });
}

const form = document.querySelector<HTMLFormElement>("#assignment-form");
if (form) assignmentForm(form);
const tiles = document.querySelector<HTMLElement>("#live-tiles");
if (tiles) liveView(tiles);
const send = document.querySelector<HTMLFormElement>("#send-form");
if (send) sendForm(send);
const snap = document.querySelector<HTMLCanvasElement>(".snapshot-thumb");
if (snap) snapshot(snap);
