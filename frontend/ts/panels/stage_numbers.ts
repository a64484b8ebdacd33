// The numbers the notes name for the chosen sample, stage by stage: a^(0), u^(l), a^(l), E_n,
// ∂E/∂a^(l), δ^(l), ∂E/∂W^(l), ∂E/∂b^(l) and the update ΔW, Δb.
import type { StageView } from "../playground/types";

const f = (x: number | null | undefined) =>
  x === null || x === undefined ? "" : Number(x.toPrecision(4)).toString();
const vec = (v: number[] | undefined) => (v ? `(${v.map(f).join(", ")})` : "");

export function renderStageNumbers(root: HTMLElement, s: StageView, row = 0): void {
  const r = Math.min(row, s.m - 1);
  const lines: string[] = [];
  if (s.a0) lines.push(`<tr data-q="a0"><th>a⁽⁰⁾</th><td>${vec(s.a0[r])}</td></tr>`);
  for (const lv of s.layers) {
    const l = lv.l;
    if (lv.u) lines.push(`<tr data-q="u${l}"><th>u⁽${l}⁾</th><td>${vec(lv.u[r])}</td></tr>`);
    if (lv.a) lines.push(`<tr data-q="a${l}"><th>a⁽${l}⁾</th><td>${vec(lv.a[r])}</td></tr>`);
  }
  if (s.losses)
    lines.push(
      `<tr data-q="E"><th>E<sub>n</sub></th><td>${f(s.losses[r])}${s.m > 1 ? ` (batch mean E = ${f(s.loss)})` : ""}</td></tr>`,
    );
  for (const lv of [...s.layers].reverse()) {
    const l = lv.l;
    if (lv.dE_da)
      lines.push(`<tr data-q="dE_da${l}"><th>∂E/∂a⁽${l}⁾</th><td>${vec(lv.dE_da[r])}</td></tr>`);
    if (lv.delta)
      lines.push(`<tr data-q="delta${l}"><th>δ⁽${l}⁾</th><td>${vec(lv.delta[r])}</td></tr>`);
    if (lv.dE_dW)
      lines.push(
        `<tr data-q="dE_dW${l}"><th>∂E/∂W⁽${l}⁾</th><td>${lv.dE_dW.map((rw) => vec(rw)).join("<br>")}</td></tr>`,
      );
    if (lv.dE_db)
      lines.push(`<tr data-q="dE_db${l}"><th>∂E/∂b⁽${l}⁾</th><td>${vec(lv.dE_db)}</td></tr>`);
  }
  if (s.update) {
    for (const [k, v] of Object.entries(s.update)) {
      const rows = Array.isArray(v[0])
        ? (v as number[][]).map((rw) => vec(rw)).join("<br>")
        : vec(v as number[]);
      lines.push(`<tr data-q="update-${k}"><th>Δ${k}</th><td>${rows}</td></tr>`);
    }
  }
  const who =
    s.m > 1
      ? `batch of ${s.m} (showing sample ${s.selection.indices[r]})`
      : `sample ${s.selection.indices[0]}`;
  root.innerHTML = lines.length
    ? `<p class="note">${who}, stage: ${s.phase}</p><table class="numbers stage-numbers"><tbody>${lines.join("")}</tbody></table>`
    : "";
}
