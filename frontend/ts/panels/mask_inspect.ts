// The shipped Mask R-CNN's pipeline on a sample image, one stage at a time, every number
// computed by the engine on the server (POST /api/lessons/mask_rcnn_inspect/).
import { fmt, type Matrix } from "./lesson_math";
import { button, drawGrid, h, lessonApiAs, select, statusLine } from "./lesson_ui";

type Box = [number, number, number, number];
interface InspectResult {
  size: [number, number];
  pixels: string;
  classes: string[];
  feature_shape: [number, number, number];
  stride: number;
  anchor_sizes: number[];
  n_anchors: number;
  top_anchors: { box: Box; objectness: number; deltas: number[] }[];
  objectness_max_per_cell: Matrix;
  n_before_nms: number;
  proposals_before_nms: Box[];
  n_after_nms: number;
  proposals_after_nms: Box[];
  best_box: Box;
  roi_crop: Matrix;
  class_probs: number[];
  refined_boxes: Record<string, Box>;
  detections: { box: Box; label: string; score: number }[];
  mask28: Matrix | null;
  pasted_pixels: string | null;
}

const STAGES = [
  "1. Anchors",
  "2. RPN objectness and box deltas",
  "3. Proposals before and after NMS",
  "4. RoI Align crop",
  "5. Class scores and refined box",
  "6. 28 × 28 masks and paste-back",
];
const SCALE = 2;

function bytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function paint(
  canvas: HTMLCanvasElement,
  r: InspectResult,
  boxes: Box[],
  colour: string,
  mask?: Uint8Array,
): void {
  const [H, W] = r.size;
  const rgb = bytes(r.pixels);
  const small = document.createElement("canvas");
  small.width = W;
  small.height = H;
  const sctx = small.getContext("2d")!;
  const img = sctx.createImageData(W, H);
  for (let i = 0; i < H * W; i++) {
    const m = mask ? mask[i] / 255 : 0;
    img.data[4 * i] = rgb[3 * i] * (1 - 0.6 * m) + 255 * 0.6 * m;
    img.data[4 * i + 1] = rgb[3 * i + 1] * (1 - 0.6 * m);
    img.data[4 * i + 2] = rgb[3 * i + 2] * (1 - 0.6 * m);
    img.data[4 * i + 3] = 255;
  }
  sctx.putImageData(img, 0, 0);
  canvas.width = W * SCALE;
  canvas.height = H * SCALE;
  const ctx = canvas.getContext("2d")!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, W * SCALE, H * SCALE);
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2;
  for (const [x1, y1, x2, y2] of boxes) {
    ctx.strokeRect(x1 * SCALE, y1 * SCALE, (x2 - x1) * SCALE, (y2 - y1) * SCALE);
  }
}

const boxText = (b: Box) => `(${b.map((v) => fmt(v, 1)).join(", ")})`;

export function mountMaskInspect(host: HTMLElement): void {
  let image = 0;
  let stage = 0;
  let res: InspectResult | null = null;
  const canvas = h("canvas", {
    "data-testid": "inspect-canvas",
    role: "img",
    "aria-label": "the sample image (loading)",
  });
  const side = h("div", { class: "panel-col", "data-testid": "inspect-side" });
  const text = h("p", { class: "sum-line", "aria-live": "polite", "data-testid": "inspect-text" });
  const label = h("span", { class: "step-label", "data-testid": "inspect-stage" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "sample image",
        Array.from({ length: 8 }, (_v, i) => [String(i), `image ${i + 1}`] as [string, string]),
        "0",
        (v) => {
          image = Number(v);
          void load();
        },
      ),
      button("◀ Previous stage", () => show(stage - 1)),
      button("Next stage ▶", () => show(stage + 1), { "data-testid": "inspect-next" }),
      label,
    ),
    h("div", { class: "panel-row" }, canvas, side),
    text,
  );
  const status = statusLine(host);

  function show(s: number): void {
    if (!res) return;
    const r = res;
    stage = Math.max(0, Math.min(STAGES.length - 1, s));
    label.textContent = STAGES[stage];
    side.replaceChildren();
    let msg: string;
    let boxes: Box[];
    let colour = "#f0a500";
    let mask: Uint8Array | undefined;
    const [C, fh, fw] = r.feature_shape;
    if (stage === 0) {
      boxes = r.top_anchors.map((a) => a.box);
      msg = `The backbone's C5 feature map is ${C} × ${fh} × ${fw} (stride ${r.stride}). Every cell has ${r.anchor_sizes.length} anchors (sizes ${r.anchor_sizes.join(", ")} px): ${r.n_anchors} anchors in all. Drawn: the ${boxes.length} with the highest objectness.`;
    } else if (stage === 1) {
      boxes = r.top_anchors.map((a) => a.box);
      const grid = h("div");
      drawGrid(grid, r.objectness_max_per_cell, {
        cell: 10,
        values: false,
        testid: "inspect-objectness",
      });
      side.append(h("h4", { text: "objectness (best anchor per cell)" }), grid);
      const a = r.top_anchors[0];
      msg = `For each anchor the RPN gives an objectness (sigmoid of a logit) and four box deltas. The top anchor ${boxText(a.box)} has objectness ${fmt(a.objectness, 4)} and deltas (${a.deltas.map((v) => fmt(v, 3)).join(", ")}).`;
    } else if (stage === 2) {
      boxes = r.proposals_after_nms;
      colour = "#2a7ab9";
      msg = `The top ${r.n_before_nms} anchors, moved by their deltas and clipped, are proposals; non-maximum suppression (IoU 0.7) keeps ${r.n_after_nms}. Drawn: the first ${boxes.length} kept. Before NMS the first ${r.proposals_before_nms.length} were ${r.proposals_before_nms.slice(0, 3).map(boxText).join(", ")}, … — near-copies of each other.`;
    } else if (stage === 3) {
      boxes = [r.best_box];
      const grid = h("div");
      drawGrid(grid, r.roi_crop, { cell: 22, digits: 2, testid: "inspect-crop" });
      side.append(h("h4", { text: "RoI Align crop, 7 × 7 (mean over channels)" }), grid);
      msg = `RoI Align cuts the best proposal ${boxText(r.best_box)} out of the feature map as a 7 × 7 grid of bilinear samples per channel, without rounding its edges.`;
    } else if (stage === 4) {
      const best = r.class_probs.indexOf(Math.max(...r.class_probs.slice(1)));
      const name = r.classes[best];
      boxes = [r.refined_boxes[name]];
      colour = "#1f8a4c";
      msg = `The box head scores the crop: ${r.classes.map((c, k) => `${c} ${fmt(r.class_probs[k], 4)}`).join(", ")}. Its deltas for “${name}” refine the proposal ${boxText(r.best_box)} to ${boxText(r.refined_boxes[name])}.`;
    } else {
      boxes = r.detections.map((d) => d.box);
      colour = "#1f8a4c";
      if (r.pasted_pixels) mask = bytes(r.pasted_pixels);
      if (r.mask28) {
        const grid = h("div");
        drawGrid(grid, r.mask28, { cell: 5, values: false, testid: "inspect-mask28" });
        side.append(h("h4", { text: "28 × 28 mask of the first detection" }), grid);
      }
      msg = `${r.detections.length} detections: ${r.detections.map((d) => `${d.label} ${fmt(d.score, 3)} at ${boxText(d.box)}`).join("; ")}. Each gets the 28 × 28 mask of its class, pasted into its box by bilinear sampling (red).`;
    }
    paint(canvas, r, boxes, colour, mask);
    canvas.setAttribute("aria-label", `${STAGES[stage]}: ${msg}`);
    text.textContent = msg;
  }

  async function load(): Promise<void> {
    try {
      status.ok("Running the model on the server…");
      res = await lessonApiAs<InspectResult>("mask_rcnn_inspect", { image });
      show(stage);
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  void load();
}
