// SGD lesson panels: m = 1, m = 16 and the full batch trained side by side (loss per epoch,
// loss per update, number of updates, wall time); and three learning rates.
import { fmt } from "./lesson_math";
import { button, h, lessonApi, lineChart, slider, statusLine } from "./lesson_ui";

const nn = (v: (number | null)[]) => v.map((x) => (x === null ? NaN : x));

export function mountSgdCompare(host: HTMLElement): void {
  let lr = 0.3;
  let epochs = 15;
  const epochChart = h("div");
  const stepCharts = h("div", { class: "panel-row" });
  const table = h("table", { class: "data-table", "data-testid": "sgd-table" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      slider("learning rate η", 0.01, 1, 0.01, lr, (v) => (lr = v)),
      slider("epochs", 1, 30, 1, epochs, (v) => (epochs = v)),
      button("Train all three", () => run(), { "data-testid": "sgd-run" }),
    ),
    h(
      "div",
      { class: "panel-row" },
      h(
        "div",
        {},
        h("h4", { text: "Loss on the whole training set after each epoch" }),
        epochChart,
      ),
      table,
    ),
    h("h4", { text: "Loss of each update's own batch (noise)" }),
    stepCharts,
  );
  const status = statusLine(host);
  async function run() {
    status.ok("training…");
    try {
      const r = await lessonApi("sgd_compare", { lr, epochs });
      const label = (m: number) =>
        m === 1 ? "m = 1 (SGD)" : m === r.n ? `m = ${m} (full batch)` : `m = ${m}`;
      lineChart(
        epochChart,
        r.runs.map((x) => ({
          name: label(x.batch_size),
          x: x.epoch_loss.map((_v, i) => i),
          y: nn(x.epoch_loss),
        })),
        { xLabel: "epoch", yLabel: "E (mean)", width: 460 },
      );
      table.replaceChildren(
        h(
          "tr",
          {},
          h("th", { text: "batch" }),
          h("th", { text: "updates" }),
          h("th", { text: "final E" }),
          h("th", { text: "accuracy" }),
          h("th", { text: "wall time" }),
          h("th", { text: "gradient noise" }),
        ),
        ...r.runs.map((x) =>
          h(
            "tr",
            {},
            h("td", { text: label(x.batch_size) }),
            h("td", { text: String(x.updates) }),
            h("td", { text: fmt(x.epoch_loss[x.epoch_loss.length - 1], 3) }),
            h("td", { text: x.accuracy === null ? "—" : `${Math.round(x.accuracy * 100)}%` }),
            h("td", { text: `${fmt(x.wall_s * 1000, 0)} ms` }),
            h("td", {
              text: x.gradient_noise === undefined ? "—" : `${Math.round(x.gradient_noise * 100)}%`,
            }),
          ),
        ),
      );
      stepCharts.replaceChildren();
      for (const x of r.runs) {
        const box = h("div");
        stepCharts.append(h("div", {}, h("h4", { text: label(x.batch_size) }), box));
        lineChart(
          box,
          [
            {
              name: "batch E",
              x: x.step_loss.map((_v, i) => i * x.step_stride),
              y: nn(x.step_loss),
            },
          ],
          { xLabel: "update", width: 280, height: 180 },
        );
      }
      status.ok(
        `${r.n} points of two moons, a 2-8-2 tanh network, the same ${epochs} epochs each. Gradient noise: how far a batch's gradient is from the full-batch gradient at the start, relative to its length.`,
      );
    } catch (e) {
      status.error(e);
    }
  }
  run();
}

export function mountLrCompare(host: HTMLElement): void {
  const chart = h("div", { "data-testid": "lr-chart" });
  const note = h("p", { class: "small" });
  host.append(chart, note);
  const status = statusLine(host);
  lessonApi("lr_compare", { rates: [0.005, 0.5, 20], batch_size: 16, epochs: 20 })
    .then((r) => {
      lineChart(
        chart,
        r.runs.map((x) => ({
          name: `η = ${x.lr}`,
          x: x.epoch_loss.map((_v, i) => i),
          y: nn(x.epoch_loss),
        })),
        { xLabel: "epoch", yLabel: "E (mean)", width: 500 },
      );
      note.textContent = r.runs
        .map(
          (x) =>
            `η = ${x.lr}: final E = ${fmt(x.epoch_loss[x.epoch_loss.length - 1], 3)}${x.diverged ? ` (diverged: ${x.diverged})` : ""}`,
        )
        .join(";  ");
      status.ok();
    })
    .catch((e) => status.error(e));
}
