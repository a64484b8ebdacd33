// A mini-batch: per-sample gradients ∂E_n/∂θ beside their mean (the batch gradient).
import { h, replace } from "../ui/dom";
import type { StageView } from "../playground/types";

const f = (x: number) => Number(x.toPrecision(4)).toString();

function flat(v: unknown): number[] {
  return Array.isArray(v) ? (v as unknown[]).flatMap((x) => flat(x)) : [v as number];
}

export function renderBatch(root: HTMLElement, stage: StageView, param = "b1"): void {
  if (!stage.per_sample || !stage.mean) {
    replace(
      root,
      h(
        "p",
        { class: "note" },
        "Run one mini-batch to see each sample's gradient beside their mean.",
      ),
    );
    return;
  }
  const names = Object.keys(stage.per_sample);
  const name = names.includes(param) ? param : names[0];
  const per = stage.per_sample[name] as unknown[];
  const mean = flat(stage.mean[name]);
  const shown = Math.min(mean.length, 8);
  const cells = (v: number[]) => v.slice(0, shown).map((x) => h("td", {}, f(x)));
  const select = h(
    "select",
    { class: "batch-param" },
    names.map((n) => h("option", { selected: n === name }, n)),
  );
  select.onchange = () => renderBatch(root, stage, select.value);
  replace(
    root,
    h("label", {}, "parameter ", select),
    " ",
    h(
      "span",
      { class: "note" },
      `m = ${stage.m}, mean = (1/m) Σ`,
      h("sub", {}, "n"),
      " ∂E",
      h("sub", {}, "n"),
      "/∂θ",
    ),
    h(
      "div",
      { class: "pg-scroll" },
      h(
        "table",
        { class: "numbers batch" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, "sample"),
            Array.from({ length: shown }, (_, k) => h("th", {}, `${name}[${k}]`)),
          ),
        ),
        h(
          "tbody",
          {},
          per.map((p, n) =>
            h("tr", {}, h("th", {}, `n = ${stage.selection.indices[n]}`), cells(flat(p))),
          ),
          h("tr", { class: "mean" }, h("th", {}, "mean"), cells(mean)),
        ),
      ),
    ),
  );
}
