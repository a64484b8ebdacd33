// KaTeX rendering of the math in a page.
//   <span class="math">u_j = \sum_i w_{ji} a_i + b_j</span>     inline, TeX as text
//   <div class="math display">...</div>                         display mode
//   <span data-math="E = -\log p"></span>                       TeX in the attribute
// Without JavaScript the TeX source stays readable; once rendered, an element gets
// data-rendered="katex".
import katex from "katex";
import "katex/dist/katex.min.css";

export function renderMathElement(el: HTMLElement): void {
  if (el.dataset.rendered === "katex") return;
  const tex = el.dataset.math ?? el.textContent ?? "";
  const displayMode =
    el.classList.contains("display") || el.dataset.display === "true" || el.tagName === "DIV";
  katex.render(tex.trim(), el, { displayMode, throwOnError: false, output: "htmlAndMathml" });
  el.dataset.rendered = "katex";
  el.setAttribute("data-tex", tex.trim());
}

export function renderMath(root: ParentNode = document): number {
  const elements = root.querySelectorAll<HTMLElement>(".math, [data-math]");
  elements.forEach(renderMathElement);
  return elements.length;
}
