// Gradient check: back propagation against central differences, per parameter array.
import type { GradcheckView } from "../playground/types";

const f = (x: number) => x.toPrecision(6);

export function renderGradcheck(root: HTMLElement, g: GradcheckView): void {
  const rows = g.rows
    .map(
      (r) =>
        `<tr data-param="${r.name}" class="${r.ok ? "ok" : "bad"}"><th>${r.name}</th><td>${r.rel_error.toExponential(2)}</td><td>${r.ok ? "✓" : "✗"}</td><td>${r.entries
          .map((e) => `[${e.index.join(",")}] ${f(e.backprop)} vs ${f(e.numeric)}`)
          .join("<br>")}</td></tr>`,
    )
    .join("");
  root.innerHTML =
    `<p>${g.ok ? "Back propagation agrees with finite differences." : "Mismatch: check the gradients."} (ε = ${g.eps})</p>` +
    `<table class="numbers gradcheck"><thead><tr><th>parameter</th><th>relative error</th><th></th><th>entries: backprop vs numeric</th></tr></thead><tbody>${rows}</tbody></table>`;
}
