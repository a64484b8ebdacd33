// Train a small CNN from the page: loss/accuracy per epoch, every layer's feature maps for a
// chosen held-out image, the confusion matrix and the misclassified images.
import * as d3 from "d3";
import { fmt, type Matrix } from "./lesson_math";
import {
  button,
  drawGrid,
  drawImage,
  h,
  lessonApiAs,
  lineChart,
  select,
  slider,
  statusLine,
} from "./lesson_ui";

interface Example {
  label: number;
  image: Matrix;
  conv: Matrix[];
  pool: Matrix[];
  flat_len: number;
  probs: number[];
}
interface TrainResult {
  dataset: string;
  classes: string[];
  architecture: string[];
  n_train: number;
  n_test: number;
  history: { epoch: number; train_loss: number; test_loss: number; test_accuracy: number }[];
  wall_s: number;
  kernels: Matrix[];
  confusion: number[][];
  accuracy: number;
  misclassified: { image: Matrix; true: number; pred: number; p: number }[];
  examples: Example[];
}

export function mountCnnTrain(host: HTMLElement): void {
  let dataset = "digits";
  let epochs = 5;
  let result: TrainResult | null = null;
  const arch = h("ol", { class: "small" });
  const charts = h("div", { class: "panel-row" });
  const acc = h("p", { class: "big-result", "data-testid": "cnn-accuracy", "aria-live": "polite" });
  const exSel = h("select", { "aria-label": "example image" });
  exSel.addEventListener("change", () => drawExample());
  const maps = h("div", { class: "panel-row" });
  const confusion = h("div", { "data-testid": "cnn-confusion" });
  const wrong = h("div", { class: "gallery" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "dataset",
        [
          ["digits", "handwritten digits 8×8"],
          ["shapes", "shapes 12×12"],
        ],
        dataset,
        (v) => (dataset = v),
      ),
      slider("epochs", 1, 15, 1, epochs, (v) => (epochs = v)),
      button("Train", () => train(), { "data-testid": "cnn-train" }),
    ),
  );
  const status = statusLine(host);
  const results = h(
    "div",
    { hidden: true, "data-testid": "cnn-results" },
    arch,
    acc,
    charts,
    h(
      "h4",
      {},
      "Feature maps of one held-out image ",
      h("label", { class: "control" }, "class ", exSel),
    ),
    maps,
    h(
      "div",
      { class: "panel-row" },
      h(
        "div",
        {},
        h("h4", { text: "Confusion matrix (rows: true class, columns: predicted)" }),
        confusion,
      ),
      h("div", {}, h("h4", { text: "Misclassified held-out images" }), wrong),
    ),
  );
  host.append(results);

  function drawExample() {
    if (!result) return;
    const ex = result.examples.find((e) => String(e.label) === exSel.value) ?? result.examples[0];
    maps.replaceChildren();
    const col = (title: string, draw: (b: HTMLElement) => void) => {
      const b = h("div");
      maps.append(h("figure", {}, b, h("figcaption", { class: "small", text: title })));
      draw(b);
    };
    col(`input (${result.classes[ex.label]})`, (b) => drawImage(b, ex.image, 8));
    ex.conv.forEach((m, c) => col(`conv ${c + 1} (ReLU)`, (b) => drawImage(b, m, 7)));
    ex.pool.forEach((m, c) => col(`pool ${c + 1}`, (b) => drawImage(b, m, 10)));
    const top = d3.maxIndex(ex.probs);
    col(
      `→ flatten ${ex.flat_len} → softmax: ${result.classes[top]} (${fmt(ex.probs[top], 2)})`,
      () => undefined,
    );
  }

  async function train() {
    status.ok("training…");
    try {
      const r = await lessonApiAs<TrainResult>("cnn_train", { dataset, epochs });
      result = r;
      results.hidden = false;
      arch.replaceChildren(...r.architecture.map((a) => h("li", { text: a })));
      acc.textContent = `held-out accuracy ${fmt(r.accuracy * 100, 1)}% on ${r.n_test} images (trained on ${r.n_train} in ${fmt(r.wall_s, 2)} s)`;
      charts.replaceChildren();
      const c1 = h("div");
      const c2 = h("div");
      charts.append(c1, c2);
      const ep = r.history.map((x) => x.epoch);
      lineChart(
        c1,
        [
          { name: "training loss", x: ep, y: r.history.map((x) => x.train_loss) },
          { name: "held-out loss", x: ep, y: r.history.map((x) => x.test_loss) },
        ],
        { xLabel: "epoch", yLabel: "E", width: 360, height: 200 },
      );
      lineChart(
        c2,
        [{ name: "held-out accuracy", x: ep, y: r.history.map((x) => x.test_accuracy) }],
        { xLabel: "epoch", yLabel: "accuracy", width: 360, height: 200, yDomain: [0, 1] },
      );
      exSel.replaceChildren(
        ...r.examples.map((e) => h("option", { value: String(e.label), text: r.classes[e.label] })),
      );
      drawExample();
      const maxv = d3.max(r.confusion.flat()) ?? 1;
      drawGrid(confusion, r.confusion, {
        cell: r.classes.length > 5 ? 28 : 44,
        color: (v, i, j) =>
          i === j
            ? d3.interpolateBlues(0.15 + (0.8 * v) / maxv)
            : v
              ? d3.interpolateReds(0.2 + (0.6 * v) / maxv)
              : "#fff",
        title: "confusion matrix",
      });
      wrong.replaceChildren();
      if (!r.misclassified.length) wrong.append(h("p", { text: "none" }));
      for (const m of r.misclassified) {
        const b = h("div");
        wrong.append(
          h(
            "figure",
            {},
            b,
            h("figcaption", {
              text: `true ${r.classes[m.true]}, said ${r.classes[m.pred]} (${fmt(m.p, 2)})`,
            }),
          ),
        );
        drawImage(b, m.image, 6);
      }
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  status.ok("Press Train: a few seconds of real training on the server.");
}
