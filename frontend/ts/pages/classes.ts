// Class pages: the assignment form shows the fields of the chosen kind; the live lab view
// draws one tile per student from ws/classes/<id>/live/ and sends a setup to the class; the
// snapshot page draws the student's decision boundary.
import "../styles/classes.css";
import { ApiError, postJSON } from "../api/http";
import { liveView } from "../classes/liveView";
import { drawThumb, type Thumb } from "../classes/thumb";

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
if (tiles) liveView(tiles, document.querySelector<HTMLElement>("#live-status"));
const send = document.querySelector<HTMLFormElement>("#send-form");
if (send) sendForm(send);
const snap = document.querySelector<HTMLCanvasElement>(".snapshot-thumb");
if (snap) snapshot(snap);
