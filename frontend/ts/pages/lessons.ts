// Entry of every lesson page: hydrates the panels named by data-panel and the
// predict-then-reveal questions. (KaTeX math is rendered by pages/base.ts.)
import "../styles/lessons.css";
import { mountActivationPlot, mountLinearCollapse, mountReluPool } from "../panels/activation_plot";
import { mountBackpropGraph } from "../panels/backprop_graph";
import { mountCnnTrain } from "../panels/cnn_train";
import {
  mountConv1d,
  mountConvPresets,
  mountConvVolume,
  mountConvWindow,
  mountOutputSize,
} from "../panels/conv_window";
import { mountEquivariance } from "../panels/equivariance";
import { mountFlattenDiagram } from "../panels/flatten_diagram";
import { mountGaussianPanel, mountMleBias, mountNllPanel } from "../panels/nll_panel";
import { mountNetworkStepper } from "../panels/network_stepper";
import { mountParamCount } from "../panels/param_count";
import { mountPoolDepth, mountPoolShift, mountPoolWindow } from "../panels/pool_window";
import { mountReceptiveField } from "../panels/receptive_field";
import { mountCompleteButton, mountQuiz } from "../panels/quiz";
import { mountMaskInspect } from "../panels/mask_inspect";
import { mountMaskHead, mountRoiGrid } from "../panels/roi_grid";
import { mountSegEmbed } from "../panels/seg_embed";
import { mountLrCompare, mountSgdCompare } from "../panels/sgd_compare";

const PANELS: Record<string, (host: HTMLElement) => void> = {
  nll: mountNllPanel,
  gaussian: mountGaussianPanel,
  "mle-bias": mountMleBias,
  "network-forward": (h) => mountNetworkStepper(h, "forward"),
  "network-backward": (h) => mountNetworkStepper(h, "backward"),
  "backprop-graph": mountBackpropGraph,
  "sgd-compare": mountSgdCompare,
  "lr-compare": mountLrCompare,
  "param-count": mountParamCount,
  "receptive-field": mountReceptiveField,
  equivariance: mountEquivariance,
  "conv-window": mountConvWindow,
  "conv-presets": mountConvPresets,
  "conv-1d": mountConv1d,
  "conv-volume": mountConvVolume,
  "output-size": mountOutputSize,
  activation: mountActivationPlot,
  "linear-collapse": mountLinearCollapse,
  "relu-pool": mountReluPool,
  pool: mountPoolWindow,
  "pool-depth": mountPoolDepth,
  "pool-shift": mountPoolShift,
  flatten: mountFlattenDiagram,
  "cnn-train": mountCnnTrain,
  roi: mountRoiGrid,
  "mask-head": mountMaskHead,
  "mask-inspect": mountMaskInspect,
  segmentation: mountSegEmbed,
};

function init(): void {
  document.querySelectorAll<HTMLElement>("[data-panel]").forEach((host) => {
    const mount = PANELS[host.dataset.panel ?? ""];
    const body = host.querySelector<HTMLElement>(".panel-body") ?? host;
    if (!mount) return;
    body.replaceChildren(); // drop the no-JavaScript fallback
    try {
      mount(body);
      host.dataset.mounted = "true";
    } catch (e) {
      body.append(`This panel failed to start: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  document.querySelectorAll<HTMLElement>(".question[data-question]").forEach(mountQuiz);
  document
    .querySelectorAll<HTMLButtonElement>("button.complete-button")
    .forEach(mountCompleteButton);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
