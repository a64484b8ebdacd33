// The hidden layers as controls: − / + neurons and an activation chooser per layer, + / − layer.
// Each change hands the new (hidden, activations) to onChange; the page sends "configure".
import { h, replace } from "../ui/dom";

export interface LayersInput {
  hidden: number[];
  activations: string[];
  choices: readonly string[];
  maxLayers: number;
  maxWidth: number;
  /** A model's network: its layers cannot change. */
  fixed: boolean;
}

export function drawLayers(
  root: HTMLElement,
  s: LayersInput,
  onChange: (hidden: number[], activations: string[]) => void,
): void {
  if (s.fixed) {
    replace(
      root,
      h(
        "span",
        { class: "pg-caption" },
        `hidden layers ${s.hidden.join(", ")} (the model's network)`,
      ),
    );
    return;
  }
  const change = (hidden: number[], acts: string[]) => onChange(hidden, acts);
  const layers = s.hidden.map((n, k) => {
    const act = s.activations[k] ?? "tanh";
    const select = h(
      "select",
      { "aria-label": `activation of hidden layer ${k + 1}`, "data-layer": k },
      s.choices.map((c) => h("option", { value: c, selected: c === act }, c)),
    );
    select.onchange = () =>
      change(
        s.hidden,
        s.hidden.map((_n, i) => (i === k ? select.value : (s.activations[i] ?? act))),
      );
    const less = h(
      "button",
      {
        type: "button",
        "aria-label": `one neuron less in hidden layer ${k + 1}`,
        disabled: n <= 1,
      },
      "−",
    );
    less.onclick = () =>
      change(
        s.hidden.map((w, i) => (i === k ? w - 1 : w)),
        s.activations,
      );
    const more = h(
      "button",
      {
        type: "button",
        "aria-label": `one neuron more in hidden layer ${k + 1}`,
        disabled: n >= s.maxWidth,
      },
      "+",
    );
    more.onclick = () =>
      change(
        s.hidden.map((w, i) => (i === k ? w + 1 : w)),
        s.activations,
      );
    return h(
      "span",
      { class: "pg-layer", "data-layer": k },
      h("span", {}, `layer ${k + 1}:`),
      less,
      h("output", { "aria-live": "off" }, String(n)),
      more,
      select,
    );
  });
  const addLayer = h(
    "button",
    { type: "button", disabled: s.hidden.length >= s.maxLayers, "data-layers": "add" },
    "+ layer",
  );
  addLayer.onclick = () =>
    change(
      [...s.hidden, s.hidden[s.hidden.length - 1] ?? 4],
      [...s.activations, s.activations[s.activations.length - 1] ?? "tanh"],
    );
  const removeLayer = h(
    "button",
    { type: "button", disabled: s.hidden.length === 0, "data-layers": "remove" },
    "− layer",
  );
  removeLayer.onclick = () => change(s.hidden.slice(0, -1), s.activations.slice(0, -1));
  replace(root, h("span", { class: "pg-caption" }, "hidden layers"), layers, addLayer, removeLayer);
}
