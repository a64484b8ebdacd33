// A mini-batch: per-sample gradients ∂E_n/∂θ beside their mean (the batch gradient).
import type { StageView } from "../playground/types";

const f = (x: number) => Number(x.toPrecision(4)).toString();

function flat(v: unknown): number[] {
  return Array.isArray(v) ? (v as unknown[]).flatMap((x) => flat(x)) : [v as number];
}

export function renderBatch(root: HTMLElement, stage: StageView, param = "b1"): void {
  if (!stage.per_sample || !stage.mean) {
    root.innerHTML = `<p class="note">Run one mini-batch to see each sample's gradient beside their mean.</p>`;
    return;
  }
  const names = Object.keys(stage.per_sample);
  const name = names.includes(param) ? param : names[0];
  const per = stage.per_sample[name] as unknown[];
  const mean = flat(stage.mean[name]);
  const shown = Math.min(mean.length, 8);
  const head = Array.from({ length: shown }, (_, k) => `<th>${name}[${k}]</th>`).join("");
  const body = per
    .map((p, n) => {
      const v = flat(p);
      return `<tr><th>n = ${stage.selection.indices[n]}</th>${v
        .slice(0, shown)
        .map((x) => `<td>${f(x)}</td>`)
        .join("")}</tr>`;
    })
    .join("");
  const select = names.map((n) => `<option${n === name ? " selected" : ""}>${n}</option>`).join("");
  root.innerHTML =
    `<label>parameter <select class="batch-param">${select}</select></label> <span class="note">m = ${stage.m}, mean = (1/m) Σ<sub>n</sub> ∂E<sub>n</sub>/∂θ</span>` +
    `<table class="numbers batch"><thead><tr><th>sample</th>${head}</tr></thead><tbody>${body}` +
    `<tr class="mean"><th>mean</th>${mean
      .slice(0, shown)
      .map((x) => `<td>${f(x)}</td>`)
      .join("")}</tr></tbody></table>`;
  root.querySelector<HTMLSelectElement>("select.batch-param")!.onchange = (ev) =>
    renderBatch(root, stage, (ev.target as HTMLSelectElement).value);
}
