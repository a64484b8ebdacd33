// Segmentation demo page: hydrates the server-rendered form. Samples, generated images,
// drawings and uploads go to POST /api/segmentation/run/; the overlay panel draws masks,
// boxes, labels and scores; the slider filters them without running the model again.
import "../styles/segmentation.css";
import { api, unwrap, type Schemas } from "../api/client";
import { ApiError, apiFetch } from "../api/http";
import { mountShapeCanvas } from "../panels/segmentation_canvas";
import {
  mountSegmentationOverlay,
  visibleDetections,
  type SegmentationResult,
} from "../panels/segmentation_overlay";

type Generated = Schemas["GenerateResponse"];
type RunRequest = Schemas["RunRequestRequest"];

function init(): void {
  const app = document.getElementById("segmentation-app");
  if (!app) return;
  const runUrl = app.dataset.runUrl!;
  const maxBytes = Number(app.dataset.maxBytes ?? "5") * 1024 * 1024;
  const form = document.getElementById("seg-form") as HTMLFormElement;
  const modelSel = document.getElementById("seg-model") as HTMLSelectElement;
  const errorBox = document.getElementById("seg-error")!;
  const stageHost = document.getElementById("seg-stage")!;
  const slider = document.getElementById("seg-threshold") as HTMLInputElement;
  const sliderOut = document.getElementById("seg-threshold-value")!;
  const latency = document.getElementById("seg-latency")!;
  const provider = document.getElementById("seg-provider")!;
  const count = document.getElementById("seg-count")!;
  const tbody = document.querySelector<HTMLTableSectionElement>("#seg-table tbody")!;
  const truthOut = document.getElementById("seg-truth")!;
  const uploadIn = document.getElementById("seg-upload") as HTMLInputElement;
  const drawRun = document.getElementById("seg-draw-run") as HTMLButtonElement;

  const overlay = mountSegmentationOverlay(stageHost);
  const pad = mountShapeCanvas(document.getElementById("seg-draw")!);
  drawRun.hidden = false;
  let current: SegmentationResult | null = null;
  let busy = false;
  let lastTruth: Generated["truth"] = [];
  let uploadUrl: string | null = null;
  const truthToggle = document.getElementById("seg-show-truth") as HTMLInputElement;
  truthToggle.addEventListener("change", () =>
    overlay.setTruth(truthToggle.checked ? lastTruth : []),
  );

  function threshold(): number {
    return Number(slider.value);
  }

  function showError(message: string | null): void {
    errorBox.hidden = !message;
    errorBox.textContent = message ?? "";
  }

  function renderStats(): void {
    sliderOut.textContent = threshold().toFixed(2);
    if (!current) {
      latency.textContent = provider.textContent = count.textContent = "–";
      tbody.replaceChildren();
      return;
    }
    latency.textContent = `${current.latency_ms.toFixed(1)} ms`;
    latency.title = `model run; ${current.total_ms.toFixed(1)} ms on the server in all`;
    provider.textContent = current.device;
    provider.title = current.provider;
    const shown = visibleDetections(current, threshold());
    count.textContent = `${shown.length} of ${current.count}`;
    tbody.replaceChildren(
      ...shown.map((d, i) => {
        const tr = document.createElement("tr");
        for (const text of [
          String(i + 1),
          d.name,
          d.score.toFixed(3),
          d.box.map((v) => v.toFixed(1)).join(", "),
        ]) {
          const td = document.createElement("td");
          td.textContent = text;
          tr.append(td);
        }
        return tr;
      }),
    );
  }

  async function run(
    imageUrl: string,
    body: FormData | RunRequest,
    truth: Generated["truth"] = [],
  ): Promise<void> {
    if (busy) return;
    busy = true;
    overlay.setTruth(truthToggle.checked ? truth : []);
    lastTruth = truth;
    app!.setAttribute("aria-busy", "true");
    showError(null);
    overlay.showImage(imageUrl);
    current = null;
    renderStats();
    try {
      const model = modelSel.value;
      let result: SegmentationResult;
      if (body instanceof FormData) {
        // an upload goes as multipart (openapi-fetch sends JSON), with the schema's type
        if (model) body.set("model", model);
        result = await apiFetch<SegmentationResult>(runUrl, { method: "POST", body });
      } else {
        result = unwrap(
          await api.POST("/api/segmentation/run/", { body: model ? { ...body, model } : body }),
        );
      }
      current = result;
      overlay.show(imageUrl, result);
      overlay.setThreshold(threshold());
      renderStats();
    } catch (err) {
      showError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      busy = false;
      app!.removeAttribute("aria-busy");
    }
  }

  // samples: the buttons submit the form without JS; with JS they run in place
  form.querySelectorAll<HTMLButtonElement>("button.seg-sample").forEach((btn) => {
    btn.addEventListener("click", (ev) => {
      ev.preventDefault();
      const img = btn.querySelector("img")!;
      truthOut.textContent = "";
      void run(img.src, { sample: Number(btn.dataset.sample) });
    });
  });

  document.getElementById("seg-generate")!.addEventListener("click", async (ev) => {
    ev.preventDefault();
    showError(null);
    try {
      const gen = unwrap(await api.POST("/api/segmentation/generate/", { body: {} }));
      const names = gen.truth.map((t) => t.name).join(", ");
      truthOut.textContent = `Seed ${gen.seed}: ${gen.truth.length} shape${
        gen.truth.length === 1 ? "" : "s"
      } drawn (${names}).`;
      await run(gen.image, { seed: gen.seed }, gen.truth);
    } catch (err) {
      showError(err instanceof Error ? err.message : String(err));
    }
  });

  document.getElementById("seg-upload-run")!.addEventListener("click", (ev) => {
    ev.preventDefault();
    const file = uploadIn.files?.[0];
    if (!file) {
      showError("Choose a PNG or JPEG file first.");
      return;
    }
    if (file.size > maxBytes) {
      showError(
        `${file.name} is ${(file.size / 1048576).toFixed(1)} MB; images may be at most ${(
          maxBytes / 1048576
        ).toFixed(0)} MB.`,
      );
      return;
    }
    if (busy) return;
    const data = new FormData();
    data.append("image", file, file.name);
    // one object URL at a time: each holds the whole file in memory until revoked
    if (uploadUrl) URL.revokeObjectURL(uploadUrl);
    uploadUrl = URL.createObjectURL(file);
    void run(uploadUrl, data);
  });
  uploadIn.addEventListener("change", () => {
    if (uploadIn.files?.length) document.getElementById("seg-upload-run")!.click();
  });

  drawRun.addEventListener("click", () => {
    const url = pad.toDataUrl();
    truthOut.textContent = `Your drawing: ${pad.shapes().length} shape(s).`;
    void run(url, { image_base64: url });
  });

  slider.addEventListener("input", () => {
    overlay.setThreshold(threshold());
    renderStats();
  });

  stageHost.dataset.ready = "1";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
