// The numbers the notes name for the chosen sample, stage by stage: a^(0), u^(l), a^(l), E_n,
// ∂E/∂a^(l), δ^(l), ∂E/∂W^(l), ∂E/∂b^(l) and the update ΔW, Δb.
import { h, replace } from "../ui/dom";
import type { StageView } from "../playground/types";

const f = (x: number | null | undefined) =>
  x === null || x === undefined ? "" : Number(x.toPrecision(4)).toString();
const vec = (v: number[] | undefined) => (v ? `(${v.map(f).join(", ")})` : "");

/** One row per line of a matrix (a <br> between them). */
const rows = (m: number[][]) => m.flatMap((rw, k) => (k ? [h("br"), vec(rw)] : [vec(rw)]));

export function renderStageNumbers(root: HTMLElement, s: StageView, row = 0): void {
  const r = Math.min(row, s.m - 1);
  const lines: HTMLElement[] = [];
  const line = (q: string, name: (Node | string)[], ...value: (Node | string)[]) =>
    lines.push(h("tr", { "data-q": q }, h("th", {}, ...name), h("td", {}, ...value)));
  if (s.a0) line("a0", ["a⁽⁰⁾"], vec(s.a0[r]));
  for (const lv of s.layers) {
    const l = lv.l;
    if (lv.u) line(`u${l}`, [`u⁽${l}⁾`], vec(lv.u[r]));
    if (lv.a) line(`a${l}`, [`a⁽${l}⁾`], vec(lv.a[r]));
  }
  if (s.losses)
    line(
      "E",
      ["E", h("sub", {}, "n")],
      f(s.losses[r]) + (s.m > 1 ? ` (batch mean E = ${f(s.loss)})` : ""),
    );
  for (const lv of [...s.layers].reverse()) {
    const l = lv.l;
    if (lv.dE_da) line(`dE_da${l}`, [`∂E/∂a⁽${l}⁾`], vec(lv.dE_da[r]));
    if (lv.delta) line(`delta${l}`, [`δ⁽${l}⁾`], vec(lv.delta[r]));
    if (lv.dE_dW) line(`dE_dW${l}`, [`∂E/∂W⁽${l}⁾`], ...rows(lv.dE_dW));
    if (lv.dE_db) line(`dE_db${l}`, [`∂E/∂b⁽${l}⁾`], vec(lv.dE_db));
  }
  if (s.update) {
    for (const [k, v] of Object.entries(s.update)) {
      const value = Array.isArray(v[0]) ? rows(v as number[][]) : [vec(v as number[])];
      line(`update-${k}`, [`Δ${k}`], ...value);
    }
  }
  const who =
    s.m > 1
      ? `batch of ${s.m} (showing sample ${s.selection.indices[r]})`
      : `sample ${s.selection.indices[0]}`;
  if (!lines.length) return replace(root);
  replace(
    root,
    h("p", { class: "note" }, `${who}, stage: ${s.phase}`),
    h("table", { class: "numbers stage-numbers" }, h("tbody", {}, lines)),
  );
}
