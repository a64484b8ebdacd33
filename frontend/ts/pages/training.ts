// Training pages: the run page (live over ws/training/<id>/) and the new-run form.
import { api, unwrap, type Schemas } from "../api/client";
import { ReconnectingSocket, wsUrl } from "../api/ws";
import { drawConfusion } from "../panels/confusion";
import { drawRunCurves, estimateEta, isFinished, showProgress } from "../panels/progress";

// The run and the socket's messages, typed from the API schema's components (the serializers
// of nnweb/training/serializers.py and nnweb/core/ws_schema.py).
type Run = Schemas["Run"];
type HistoryPoint = Schemas["HistoryPoint"];
type RunSocketMessage = Schemas["TrainingRunMessage"] | Schemas["WsErrorMessage"];

/** Merge a message's history slice into the points we have. */
export function mergeHistory(
  have: HistoryPoint[],
  slice: HistoryPoint[],
  from: number,
): HistoryPoint[] {
  const out = have.slice(0, from);
  return out.concat(slice);
}

function startRunPage(root: HTMLElement): void {
  const dataEl = document.getElementById("run-data");
  if (!dataEl?.textContent) return;
  let run = JSON.parse(dataEl.textContent) as Run;
  let history: HistoryPoint[] = run.history;
  const curves = document.getElementById("curves");
  const confusion = document.getElementById("confusion");
  let lastUpdate = Date.now();

  const render = () => {
    showProgress(root, run);
    if (curves) drawRunCurves(curves, history, run.total_epochs);
    if (confusion && run.confusion?.length) {
      confusion.querySelector("#confusion-table")?.setAttribute("hidden", "");
      confusion.querySelector("#confusion-empty")?.remove();
      drawConfusion(confusion, run.confusion, run.class_names);
    }
    const link = root.querySelector<HTMLAnchorElement>("#run-model-link");
    if (!link && run.result_model_url) {
      const result = root.querySelector<HTMLElement>("#run-result");
      if (result) {
        const a = document.createElement("a");
        a.id = "run-model-link";
        a.href = run.result_model_url;
        a.textContent = "Open the trained model";
        result.prepend(a, " · ");
      }
    }
  };
  render();
  if (isFinished(run.status)) return;

  const socket = new ReconnectingSocket(wsUrl(root.dataset.wsPath ?? `/ws/training/${run.id}/`), {
    onMessage: (msg) => {
      const m = msg as RunSocketMessage;
      if (m.type === "error") return; // a refused socket closes; the page keeps its numbers
      history =
        m.type === "snapshot"
          ? m.run.history
          : mergeHistory(history, m.run.history, m.run.history_from);
      run = { ...m.run, history };
      lastUpdate = Date.now();
      render();
      if (isFinished(run.status)) socket.close();
    },
  });
  // Between updates, count the ETA down locally.
  const timer = setInterval(() => {
    if (isFinished(run.status)) {
      clearInterval(timer);
      return;
    }
    if (run.status === "running" && run.elapsed_seconds !== null) {
      const elapsed = run.elapsed_seconds + (Date.now() - lastUpdate) / 1000;
      showProgress(root, { ...run, eta_seconds: estimateEta(run.step, run.total_steps, elapsed) });
    }
  }, 1000);

  const cancelForm = root.querySelector<HTMLFormElement>("#cancel-form");
  cancelForm?.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = cancelForm.querySelector("button");
    if (button) button.disabled = true;
    api
      .POST("/api/training/runs/{id}/cancel/", { params: { path: { id: run.id } } })
      .then(unwrap)
      .catch(() => cancelForm.submit());
  });
}

function startNewRunForm(form: HTMLFormElement): void {
  const network = form.querySelector<HTMLSelectElement>("#id_network");
  const source = form.querySelector<HTMLSelectElement>("#id_source");
  const sync = () => {
    const kind = source?.selectedOptions[0]?.dataset.kind ?? "";
    if (network && kind === "instance_segmentation") network.value = "maskrcnn";
    if (network && kind === "tabular" && network.value === "cnn") network.value = "mlp";
    for (const el of form.querySelectorAll<HTMLElement>("[data-network]")) {
      el.hidden = el.dataset.network !== network?.value;
    }
  };
  network?.addEventListener("change", sync);
  source?.addEventListener("change", sync);
  sync();
}

const runRoot = document.getElementById("run");
if (runRoot) startRunPage(runRoot);
const runForm = document.getElementById("run-form");
if (runForm instanceof HTMLFormElement) startNewRunForm(runForm);
