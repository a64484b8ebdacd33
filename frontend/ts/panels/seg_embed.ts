// Mask R-CNN lesson: the live segmentation demo in a small panel. A click generates a shapes
// image and segments it with the shipped model (the segmentation app's API); the overlay
// panel of the segmentation page draws boxes, classes and masks.
import "../styles/segmentation.css";
import { api, unwrap } from "../api/client";
import { fmt } from "./lesson_math";
import { button, h, statusLine } from "./lesson_ui";
import { mountSegmentationOverlay, visibleDetections } from "./segmentation_overlay";

export function mountSegEmbed(host: HTMLElement): void {
  const stageHost = h("div", { class: "seg-stage-host", style: "max-width:320px", hidden: true });
  const stage = h("div");
  stageHost.append(stage);
  const summary = h("p", {
    class: "sum-line",
    "data-testid": "seg-summary",
    "aria-live": "polite",
  });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      button("Segment a new shapes image", () => run(), { "data-testid": "seg-run" }),
    ),
    stageHost,
    summary,
  );
  const status = statusLine(host);
  const overlay = mountSegmentationOverlay(stage);
  async function run() {
    status.ok("running the model…");
    try {
      const gen = unwrap(await api.POST("/api/segmentation/generate/", { body: {} }));
      const result = unwrap(await api.POST("/api/segmentation/run/", { body: { seed: gen.seed } }));
      stageHost.hidden = false;
      overlay.show(gen.image, result);
      overlay.setThreshold(0.5);
      const found = visibleDetections(result, 0.5);
      summary.textContent = `drawn: ${gen.truth.map((t) => t.name).join(", ") || "nothing"}; found (score ≥ 0.5): ${
        found.map((d) => `${d.name} ${fmt(d.score, 2)}`).join(", ") || "nothing"
      } (${fmt(result.latency_ms, 0)} ms on ${result.provider})`;
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  status.ok("Press the button to run the model on the server.");
}
