// Editing one weight in place: a small form over the edge's midpoint, the value shown with 4
// significant digits (the full one in its title). Enter sets it, Escape closes it.
import { h } from "../ui/dom";
import { fmt4 } from "./format";

export function openWeightEditor(
  host: HTMLElement,
  at: { x: number; y: number },
  label: string,
  value: number,
  onSet: (v: number) => void,
  onClose: () => void,
): HTMLFormElement {
  host.querySelector(".pg-weight-editor")?.remove();
  const input = h("input", {
    type: "text",
    inputmode: "decimal",
    value: fmt4(value),
    title: String(value),
    "aria-label": `new value of ${label}`,
  });
  const form = h(
    "form",
    { class: "pg-weight-editor", "data-control": "set_param", "aria-label": `edit ${label}` },
    h("label", {}, `${label} =`),
    input,
    h("button", { type: "submit" }, "Set"),
  );
  form.style.left = `${Math.max(0, at.x - 60)}px`;
  form.style.top = `${Math.max(0, at.y - 14)}px`;
  const close = () => {
    form.remove();
    onClose();
  };
  form.onsubmit = (ev) => {
    ev.preventDefault();
    const v = Number(input.value.replace("−", "-"));
    if (!Number.isFinite(v)) {
      input.setCustomValidity(`'${input.value}' is not a number`);
      input.reportValidity();
      return;
    }
    form.remove();
    onSet(v);
  };
  input.oninput = () => input.setCustomValidity("");
  form.onkeydown = (ev) => {
    ev.stopPropagation();
    if (ev.key === "Escape") close();
  };
  host.appendChild(form);
  input.focus();
  input.select();
  return form;
}
