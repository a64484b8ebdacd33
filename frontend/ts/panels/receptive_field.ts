// Why-CNNs panel: sparse connections and the receptive field. Three rows of units (input,
// layer 1, layer 2), connected by a width-3 convolution ("same" padding) or densely. Focus a
// unit of layer 2 to see what it reads directly (layer 1) and indirectly (the input).
import * as d3 from "d3";
import { fitWidth, h, pressable, select } from "./lesson_ui";

export function receptiveField(
  unit: number,
  k: number,
  layers: number,
  n: number,
): [number, number] {
  const half = Math.floor(k / 2) * layers;
  return [Math.max(0, unit - half), Math.min(n - 1, unit + half)];
}

export function mountReceptiveField(host: HTMLElement): void {
  const n = 9;
  let mode = "conv";
  let focus = 4;
  const box = h("div");
  const info = h("p", { class: "sum-line", "data-testid": "rf-info", "aria-live": "polite" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "connections",
        [
          ["conv", "convolution, kernel width 3"],
          ["dense", "dense"],
        ],
        mode,
        (v) => {
          mode = v;
          draw();
        },
      ),
    ),
    box,
    info,
  );
  const linked = (j: number, i: number) => mode === "dense" || Math.abs(i - j) <= 1;
  function draw() {
    box.replaceChildren();
    const W = fitWidth(box, 460);
    const H = 200;
    const x = (i: number) => 30 + (i * (W - 60)) / (n - 1);
    const y = [170, 100, 30];
    const svg = d3
      .select(box)
      .append("svg")
      .attr("viewBox", `0 0 ${W} ${H}`)
      .attr("width", "100%")
      .attr("style", `max-width:${W}px`)
      .attr("role", "img")
      .attr("aria-label", "three layers of units and their connections");
    const direct = new Set<number>();
    for (let i = 0; i < n; i++) if (linked(focus, i)) direct.add(i);
    const indirect = new Set<number>();
    for (const j of direct) for (let i = 0; i < n; i++) if (linked(j, i)) indirect.add(i);
    for (let layer = 1; layer <= 2; layer++)
      for (let j = 0; j < n; j++)
        for (let i = 0; i < n; i++) {
          if (!linked(j, i)) continue;
          const hot = (layer === 2 && j === focus) || (layer === 1 && direct.has(j));
          svg
            .append("line")
            .attr("x1", x(i))
            .attr("y1", y[layer - 1])
            .attr("x2", x(j))
            .attr("y2", y[layer])
            .attr("stroke", hot ? (layer === 2 ? "#c47f00" : "#2a7ab9") : "#ddd")
            .attr("stroke-width", hot ? 2 : 0.8);
        }
    ["input", "layer 1", "layer 2"].forEach((name, layer) => {
      svg
        .append("text")
        .attr("x", 2)
        .attr("y", y[layer] - 14)
        .attr("font-size", 11)
        .text(name);
      for (let i = 0; i < n; i++) {
        const fill =
          layer === 2 && i === focus
            ? "#f7c873"
            : layer === 1 && direct.has(i)
              ? "#fde9a8"
              : layer === 0 && indirect.has(i)
                ? "#cfe3f7"
                : "#fff";
        const c = svg
          .append("circle")
          .attr("cx", x(i))
          .attr("cy", y[layer])
          .attr("r", 9)
          .attr("fill", fill)
          .attr("stroke", "#333");
        if (layer === 2) {
          pressable(c.node()!, `layer 2 unit ${i + 1}`);
          c.style("cursor", "pointer").on("click focus", () => {
            if (focus !== i) {
              focus = i;
              draw();
              (box.querySelectorAll("circle[tabindex]")[i] as SVGElement | undefined)?.focus();
            }
          });
        }
      }
    });
    const weights = mode === "dense" ? 2 * n * n : 2 * 3;
    const [lo, hi] = mode === "conv" ? receptiveField(focus, 3, 2, n) : [0, n - 1];
    info.textContent = `layer-2 unit ${focus + 1} reads ${direct.size} units of layer 1 directly and ${indirect.size} inputs indirectly (inputs ${lo + 1} to ${hi + 1}); weights to learn: ${weights}${mode === "conv" ? " (one shared kernel of 3 per layer)" : ` (${n}×${n} per layer)`}.`;
  }
  draw();
}
