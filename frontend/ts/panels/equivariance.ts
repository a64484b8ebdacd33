// Why-CNNs panel: convolve-then-shift against shift-then-convolve; equal away from the border.
import { fmt } from "./lesson_math";
import {
  debounce,
  drawGrid,
  drawImage,
  h,
  lessonApi,
  select,
  slider,
  statusLine,
} from "./lesson_ui";

export function mountEquivariance(host: HTMLElement): void {
  let dy = 2;
  let dx = 3;
  let kernel = "edge_vertical";
  const row = h("div", { class: "panel-row" });
  const out = h("p", { class: "big-result", "data-testid": "equiv-result", "aria-live": "polite" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      slider("shift down", -5, 5, 1, dy, (v) => {
        dy = v;
        load();
      }),
      slider("shift right", -5, 5, 1, dx, (v) => {
        dx = v;
        load();
      }),
      select(
        "kernel",
        [
          ["edge_vertical", "vertical edges"],
          ["blur", "blur"],
          ["sharpen", "sharpen"],
          ["notes_x", "the notes' X"],
        ],
        kernel,
        (v) => {
          kernel = v;
          load();
        },
      ),
    ),
    row,
    out,
  );
  const status = statusLine(host);
  const load = debounce(async () => {
    try {
      const r = await lessonApi("equivariance", { kernel, dy, dx });
      row.replaceChildren();
      const add = (title: string, draw: (b: HTMLElement) => void) => {
        const b = h("div");
        row.append(h("div", { class: "panel-col" }, h("h4", { text: title }), b));
        draw(b);
      };
      add("image x", (b) => drawImage(b, r.image, 9));
      add("conv, then shift", (b) => drawImage(b, r.conv_then_shift, 9));
      add("shift, then conv", (b) => drawImage(b, r.shift_then_conv, 9));
      add("where they differ (red); blue: away from the border", (b) =>
        drawGrid(b, r.abs_diff, {
          cell: 9,
          values: false,
          color: (v, i, j) => (v > 1e-9 ? "#c0392b" : r.interior[i][j] ? "#cfe3f7" : "#fff"),
        }),
      );
      out.textContent = `largest difference away from the border: ${fmt(r.max_diff_interior, 6)};  anywhere: ${fmt(r.max_diff, 3)} (zeros shifted in at the edge)`;
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }, 150);
  load();
}
