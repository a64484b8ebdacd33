// Gradient check: back propagation against central differences, per parameter array.
import { h, replace } from "../ui/dom";
import type { GradcheckView } from "../playground/types";

const f = (x: number) => x.toPrecision(6);

export function renderGradcheck(root: HTMLElement, g: GradcheckView): void {
  const rows = g.rows.map((r) =>
    h(
      "tr",
      { "data-param": r.name, class: r.ok ? "ok" : "bad" },
      h("th", {}, r.name),
      h("td", {}, r.rel_error.toExponential(2)),
      h("td", {}, r.ok ? "✓" : "✗"),
      h(
        "td",
        {},
        r.entries.flatMap((e, k) => {
          const text = `[${e.index.join(",")}] ${f(e.backprop)} vs ${f(e.numeric)}`;
          return k ? [h("br"), text] : [text];
        }),
      ),
    ),
  );
  replace(
    root,
    h(
      "p",
      {},
      `${g.ok ? "Back propagation agrees with finite differences." : "Mismatch: check the gradients."} (ε = ${g.eps})`,
    ),
    h(
      "table",
      { class: "numbers gradcheck" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "parameter"),
          h("th", {}, "relative error"),
          h("th"),
          h("th", {}, "entries: backprop vs numeric"),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );
}
