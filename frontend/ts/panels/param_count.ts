// Why-CNNs panel: parameters of a dense layer against a conv layer producing the same volume.
import * as d3 from "d3";
import { button, fitWidth, h, lessonApi, statusLine } from "./lesson_ui";

const big = (n: number) => d3.format(",")(n);

export function mountParamCount(host: HTMLElement): void {
  const state: Record<string, number> = {
    height: 28,
    width: 28,
    in_channels: 1,
    kernel: 3,
    out_channels: 32,
  };
  const labels: Record<string, string> = {
    height: "image height",
    width: "image width",
    in_channels: "channels in",
    kernel: "kernel K",
    out_channels: "filters",
  };
  const controls = h("div", { class: "panel-controls" });
  for (const k of Object.keys(state)) {
    const inp = h("input", {
      type: "number",
      min: 1,
      value: state[k],
      "aria-label": labels[k],
      style: "width:5em",
    });
    inp.addEventListener("change", () => {
      state[k] = Number(inp.value);
      load();
    });
    controls.append(h("label", { class: "control" }, `${labels[k]} `, inp));
  }
  controls.append(button("Count", () => load()));
  const out = h("div", { "data-testid": "param-result", "aria-live": "polite" });
  const bars = h("div");
  host.append(controls, out, bars);
  const status = statusLine(host);
  async function load() {
    try {
      const r = await lessonApi("param_count", state);
      out.replaceChildren(
        h("p", {
          text: `input ${r.input_shape.join("×")} → output volume ${r.output_shape.join("×")}`,
        }),
        h("p", {
          class: "big-result",
          text: `dense: ${big(r.dense_params)} parameters;  conv: ${big(r.conv_params)} parameters  (${d3.format(",.0f")(r.ratio)}× fewer)`,
        }),
        h("p", {
          text: `each output reads ${big(r.inputs_per_output_dense)} inputs in the dense layer, ${big(r.inputs_per_output_conv)} in the conv layer (sparse interactions); the conv layer reuses its ${big(r.conv_params)} numbers at every position (parameter sharing).`,
        }),
      );
      if (r.warning) out.append(h("p", { class: "warning", text: r.warning }));
      bars.replaceChildren();
      const W = fitWidth(bars, 460);
      const svg = d3
        .select(bars)
        .append("svg")
        .attr("viewBox", `0 0 ${W} 80`)
        .attr("width", "100%")
        .attr("style", `max-width:${W}px`)
        .attr("role", "img")
        .attr("aria-label", "parameter counts on a log scale");
      const x = d3
        .scaleLog()
        .domain([1, Math.max(10, r.dense_params)])
        .range([90, W - 10]);
      [
        ["dense", r.dense_params, "#c0392b"],
        ["conv", r.conv_params, "#2a7ab9"],
      ].forEach(([name, v, c], i) => {
        svg
          .append("text")
          .attr("x", 4)
          .attr("y", 22 + i * 30)
          .attr("font-size", 12)
          .text(`${name} (log)`);
        svg
          .append("rect")
          .attr("x", 90)
          .attr("y", 10 + i * 30)
          .attr("height", 18)
          .attr("width", Math.max(1, x(Number(v)) - 90))
          .attr("fill", String(c));
      });
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }
  load();
}
