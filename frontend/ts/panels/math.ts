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

/** A display equation wider than its column scrolls sideways (lessons.css); such a region
 * must take the keyboard focus so it can be scrolled without a mouse, and be named. Only the
 * ones that really scroll at the current width become tab stops. */
export function markScrollingEquations(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>(".katex-display").forEach((el) => {
    if (el.scrollWidth > el.clientWidth + 1) {
      el.tabIndex = 0;
      el.setAttribute("role", "group");
      el.setAttribute("aria-label", "equation, scrolls sideways");
    } else if (el.hasAttribute("tabindex")) {
      el.removeAttribute("tabindex");
      el.removeAttribute("role");
      el.removeAttribute("aria-label");
    }
  });
}

let watchingWidth = false;

export function renderMath(root: ParentNode = document): number {
  const elements = root.querySelectorAll<HTMLElement>(".math, [data-math]");
  elements.forEach(renderMathElement);
  markScrollingEquations(root);
  if (!watchingWidth && typeof window !== "undefined") {
    watchingWidth = true;
    let pending = 0;
    window.addEventListener("resize", () => {
      window.clearTimeout(pending);
      pending = window.setTimeout(() => markScrollingEquations(document), 150);
    });
    // KaTeX's fonts arrive after the first layout, which measured the formulas in a fallback
    // font: one that fits then may scroll once its own glyphs are in.
    document.fonts?.addEventListener("loadingdone", () => markScrollingEquations(document));
  }
  return elements.length;
}
