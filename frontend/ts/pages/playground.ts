// The backprop playground page: opens a session (REST), a websocket to it, and draws the panels.
// One source of truth: every reply the server sends (REST or websocket) goes through apply(),
// which updates the page's copy of the session (state, stage, weights, history), and render()
// redraws every panel from that copy. A data set or network change clears and rebuilds them.
// See nnweb/playground/actions.py for the actions and their replies.
import { api, unwrap, type Schemas } from "../api/client";
import { ApiError } from "../api/http";
import { offerClassSetup, type ClassSetup } from "../classes/setupOffer"; // classes hook
import { renderBatch } from "../panels/batch_view";
import { editMessage } from "../panels/data_editor";
import { renderGradcheck } from "../panels/gradcheck_table";
import { embedMode, guidedMode, guidedView, type GuidedMode } from "../panels/guided_stage";
import { Heatmap } from "../panels/heatmap";
import { drawLossChart } from "../panels/loss_chart";
import { renderMathElement } from "../panels/math";
import { NetworkDiagram } from "../panels/network_diagram";
import { neuronNumbers, renderNeuronFormula } from "../panels/neuron_formula";
import { drawThumbnails } from "../panels/neuron_thumbnails";
import { renderStageNumbers } from "../panels/stage_numbers";
import { PlaygroundClient, refusalCode, refusalText } from "../playground/client";
import { h, replace } from "../ui/dom";
import { readForm } from "../playground/form";
import { fmt4 } from "../playground/format";
import { dequantize, type Frame, type FrameArray } from "../playground/frame";
import { drawLayers } from "../playground/layers_panel";
import { metricsText, row, stallHint, type MetricsRow } from "../playground/progress";
import { fromQuery, toQuery, type PlaygroundConfig, type UrlState } from "../playground/state";
import type {
  ActionMessage,
  ActionReply,
  ErrorView,
  HistoryPoint,
  Params,
  StageView,
  StateView,
} from "../playground/types";
import { historyRow, type ClassroomLink, type ExperimentSaved } from "../playground/types";
import { openWeightEditor } from "../playground/weight_editor";
import "../playground/playground.css";

const $ = <T extends HTMLElement = HTMLElement>(id: string) =>
  document.getElementById(id) as T | null;

const ACTIVATIONS = ["identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus"] as const;

type SessionCreate = Schemas["SessionCreateRequest"];

/** What the socket sends a page: an action's reply, a refusal, or "paused" when the play
 * loop stops by itself (consumers.py). */
type Reply = ActionReply | ErrorView | { type: "paused"; iteration: number };

class PlaygroundPage {
  url: UrlState;
  state!: StateView;
  stage: StageView | null = null;
  params: Params = {};
  history: number[][] = [];
  metrics: MetricsRow | null = null;
  iteration = 0;
  playing = false;
  /** The last frame's pictures (heatmap, neurons), kept to redraw and for the neuron preview. */
  frame: Record<string, FrameArray> = {};
  selected: [number, number] | null = null;
  hover: [number, number] | null = null;
  client: PlaygroundClient | null = null;
  diagram: NetworkDiagram;
  heatmap: Heatmap;
  classroom: { token: string; title: string; hide: string[] } | null;
  /** Guided mode (?guided=…): one "Next stage" button, the stage's formula beside the diagram. */
  guided: GuidedMode | null = guidedMode(window.location.search);
  embed = embedMode(window.location.search);
  busy = false;
  /** What the data and network were when last drawn: a change clears every panel. */
  shape = "";
  lastAnnounce = 0;

  constructor() {
    this.classroom = JSON.parse($("pg-classroom")?.textContent ?? "null");
    this.url = fromQuery(window.location.search, JSON.parse($("pg-defaults")!.textContent!));
    if (this.classroom) {
      this.url.config = JSON.parse($("pg-config")!.textContent!);
      this.url.hide = this.classroom.hide;
    }
    this.diagram = this.newDiagram();
    this.heatmap = new Heatmap($("pg-heatmap")!, (x1, x2, remove) => this.editData(x1, x2, remove));
    $<HTMLSelectElement>("pg-color")!.value = this.url.color;
    this.hideControls();
    this.bind();
  }

  newDiagram(): NetworkDiagram {
    return new NetworkDiagram($("pg-diagram")!, {
      onNeuron: (l, j) => this.showFormula(l, j),
      onEdge: (l, j, i, w, at) => this.editWeight(l, j, i, w, at),
      onHover: (l, j) => this.preview(l === null || j === null ? null : [l, j]),
    });
  }

  hideControls(): void {
    for (const name of this.url.hide)
      document
        .querySelectorAll<HTMLElement>(`[data-control="${CSS.escape(name)}"]`)
        .forEach((el) => {
          el.hidden = true;
          el.classList.add("hidden-by-classroom");
        });
  }

  /** A refusal (an error naming the field and value) or, with kind "info", guidance. */
  message(text: string, kind: "error" | "info" = "error"): void {
    replace(
      $("pg-messages")!,
      kind === "error" && text ? h("p", { class: "pg-error" }, text) : null,
    );
    if (kind === "info" || !text) this.info(kind === "info" ? text : "");
  }

  info(text: string, stalled = false): void {
    const el = $("pg-info")!;
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle("stalled", stalled);
  }

  async start(): Promise<void> {
    const body: SessionCreate = { config: this.url.config };
    if (this.url.model) body.model = Number(this.url.model);
    if (this.url.experiment) body.experiment = Number(this.url.experiment);
    // A classroom session is opened with the link's token, so the server refuses what it hides.
    const fallback: SessionCreate = { config: {} };
    if (this.classroom) body.classroom = fallback.classroom = this.classroom.token;
    const open = async (b: SessionCreate) =>
      unwrap(await api.POST("/api/playground/sessions/", { body: b }));
    let state: StateView;
    try {
      state = await open(body);
    } catch (err) {
      this.message(errorText(err));
      state = await open(fallback);
    }
    document.body.dataset.session = state.session;
    this.client = new PlaygroundClient(state.session, {
      onFrame: (f) => this.onFrame(f),
      onError: (e) => this.message(refusalText(e.errors)),
      onMessage: (m) =>
        m.type === "class_setup" // classes hook: a setup sent to the class
          ? offerClassSetup(m as unknown as ClassSetup)
          : this.apply(m as Reply), // the socket's JSON, as the server sends it
      onClose: () =>
        this.message("The connection to the server closed; reload the page to continue."),
    });
    await this.client.ready;
    this.apply(state);
    if (this.guided === "backward") await this.guidedForwardPass();
    document.body.dataset.ready = "1";
  }

  // --- the one way a reply reaches the page ----------------------------------------------
  /** Merge a server reply into the page's copy of the session, then redraw every panel. */
  apply(reply: Reply): void {
    switch (reply.type) {
      case "state":
        this.applyState(reply);
        break;
      case "stage": {
        const st = reply;
        this.stage = st.a0 ? st : null;
        if (st.params) this.params = st.params;
        this.iteration = st.iteration;
        if (st.metrics) this.pushHistory([st.metrics]);
        if (st.per_sample) renderBatch($("pg-batch")!, st);
        break;
      }
      case "metrics": {
        const m = reply;
        this.stage = null;
        this.params = m.params ?? this.params;
        this.iteration = m.iteration;
        this.pushHistory(m.history);
        this.metrics = { ...m, iteration: m.iteration };
        this.setPlaying(m.playing);
        break;
      }
      case "gradcheck":
        renderGradcheck($("pg-gradcheck")!, reply);
        return;
      case "paused":
        this.setPlaying(false);
        return;
      default:
        return;
    }
    this.render();
    // the pictures (heatmap, neurons) follow in a binary frame
    void this.client?.fire({ action: "frame" });
  }

  applyState(s: StateView): void {
    const shape = JSON.stringify([
      s.config.dataset,
      s.data.X.length,
      s.network.sizes,
      s.data.problem,
    ]);
    if (shape !== this.shape) this.clearPanels();
    this.shape = shape;
    this.state = s;
    this.stateVersion++;
    this.url.config = s.config;
    if (!this.classroom) {
      let q = toQuery({ ...this.url, experiment: null });
      if (this.guided)
        q += `&guided=${this.guided === "all" ? "1" : this.guided}${this.embed ? "&embed=1" : ""}`;
      window.history.replaceState(null, "", `${window.location.pathname}?${q}`);
    }
    this.params = s.params;
    this.history = s.history.map(historyRow);
    this.iteration = s.iteration;
    this.metrics = { iteration: s.iteration, ...s.metrics };
    this.stage = s.stage.a0 ? s.stage : null;
    const ext = s.data.extent ?? [
      [-1, 1],
      [-1, 1],
    ];
    this.heatmap.extent = (ext.length === 1 ? [ext[0], [-1, 1]] : ext) as [
      [number, number],
      [number, number],
    ];
    $<HTMLInputElement>("pg-sample")!.max = String(s.data.train_idx.length - 1);
    const addClass = $<HTMLSelectElement>("pg-add-class")!;
    replace(
      addClass,
      s.data.problem === "classification"
        ? s.data.class_names.map((c, k) => h("option", { value: k }, c))
        : [],
    );
    this.fillForm(s);
    this.showApplicable(s);
    this.setPlaying(s.playing);
  }

  /** A new data set or network: nothing of the old drawings stays. */
  clearPanels(): void {
    this.selected = null;
    this.hover = null;
    this.frame = {};
    this.drawn = { layers: "", points: "" };
    this.diagram = this.newDiagram();
    this.heatmap.clear();
    replace($("pg-thumbs")!);
    replace($("pg-formula")!, h("p", { class: "note" }, "Choose a neuron to see its formulas."));
    replace($("pg-numbers")!);
    replace(
      $("pg-batch")!,
      h("p", { class: "note" }, "Run one mini-batch to see each sample's gradient."),
    );
    replace(
      $("pg-gradcheck")!,
      h("p", { class: "note" }, "Compare back propagation with finite differences."),
    );
  }

  pushHistory(points: HistoryPoint[]): void {
    const rows = points.map(historyRow);
    const lastIt = this.history.length ? this.history[this.history.length - 1][0] : -1;
    for (const r of rows) if (r[0] > lastIt || !this.history.length) this.history.push(r);
    if (this.history.length > 4000) this.history = this.history.filter((_, i) => i % 2 === 0);
    const last = this.history[this.history.length - 1];
    if (last) this.metrics = row(last);
  }

  // --- drawing every panel from the page's copy ----------------------------------------
  render(): void {
    const s = this.state;
    this.diagram.draw({
      sizes: s.network.sizes,
      activations: s.network.activations,
      inputLabels: s.network.inputs,
      params: this.params,
      stage: this.stage,
      colorBy: $<HTMLSelectElement>("pg-color")!.value as "a" | "u",
      sampleRow: this.sampleRow(),
    });
    document
      .querySelectorAll("#pg-diagram g.neuron.selected")
      .forEach((n) => n.classList.remove("selected"));
    if (this.selected)
      document
        .querySelector(
          `#pg-diagram g.neuron[data-l="${this.selected[0]}"][data-j="${this.selected[1]}"]`,
        )
        ?.classList.add("selected");
    const st = this.stage;
    const stageText = st
      ? `stage: ${st.phase}${st.l ? ` (layer ${st.l})` : ""} — next: ${st.next}`
      : "stage: idle — next: forward";
    setText($("pg-stage")!, stageText);
    $("pg-stage")!.dataset.phase = st?.phase ?? "idle";
    if (st) renderStageNumbers($("pg-numbers")!, st, this.sampleRow());
    else replace($("pg-numbers")!);
    if (this.selected) this.showFormula(...this.selected, false);
    if (this.guided) this.renderGuided();
    this.drawPoints();
    this.drawPictures();
    drawLossChart($("pg-loss")!, this.history);
    this.setMetrics();
    const layers = {
      hidden: s.config.hidden,
      activations: s.config.activations,
      choices: ACTIVATIONS,
      maxLayers: s.limits.max_layers,
      maxWidth: s.limits.max_width,
      fixed: s.network.fixed,
    };
    // Rebuilt only when they change: while playing, render() runs once per animation frame.
    const layersKey = JSON.stringify(layers);
    if (layersKey !== this.drawn.layers) {
      this.drawn.layers = layersKey;
      drawLayers($("pg-layers")!, layers, (hidden, activations) => {
        this.drawn.layers = ""; // a refused change leaves the controls as the state has them
        void this.configure({
          hidden,
          activations: activations as PlaygroundConfig["activations"],
        });
      });
    }
  }

  /** What render() last drew that need not be drawn again until it changes. */
  drawn = { layers: "", points: "" };
  /** Counts the states applied (a new state may carry new points). */
  stateVersion = 0;

  drawPoints(): void {
    const s = this.state;
    const chosen = this.stage ? this.stage.selection.indices.map((i) => s.data.train_idx[i]) : [];
    const key = JSON.stringify([this.stateVersion, chosen, this.heatmap.extent]);
    if (key === this.drawn.points) return;
    this.drawn.points = key;
    this.heatmap.drawPoints(
      { X: s.data.X, y: s.data.y as (number | number[])[], train: new Set(s.data.train_idx) },
      s.data.problem,
      chosen,
    );
  }

  /** The heatmap (or fitted curve) and the neuron thumbnails of the last frame. */
  drawPictures(): void {
    const A = this.frame;
    const s = this.state;
    if (this.hover && this.previewNeuron(...this.hover)) return;
    $("pg-output-caption")!.textContent =
      s.data.n_inputs === 1
        ? "the fitted curve a⁽ᴸ⁾(x) and the data"
        : s.data.n_inputs === 2
          ? "the network's output over the input plane"
          : "";
    if (A.out) {
      const ys = (s.data.y as unknown[]).map((v) => (Array.isArray(v) ? v[0] : v)) as number[];
      const out = A.out_range ? dequantize(A.out, A.out_range) : A.out;
      this.heatmap.drawGrid(out, s.data.problem, [Math.min(...ys), Math.max(...ys)]);
    }
    if (A.curve && A.curve_x) {
      this.heatmap.drawCurve(A.curve_x, A.curve, {
        X: s.data.X,
        y: s.data.y as (number | number[])[],
        train: new Set(s.data.train_idx),
      });
      this.drawPoints();
    }
    if (A.neurons && A.neuron_range)
      drawThumbnails($("pg-thumbs")!, A.neurons, A.neuron_range, this.neuronLabels());
  }

  neuronLabels(): string[] {
    const labels: string[] = [];
    this.state.network.sizes.slice(1, -1).forEach((n, i) => {
      for (let j = 0; j < n; j++) labels.push(`${i + 1}.${j + 1}`);
    });
    return labels;
  }

  /** Hovering or focusing a hidden neuron shows its own output over the plane, large. */
  preview(at: [number, number] | null): void {
    this.hover = at;
    this.drawPictures();
  }

  previewNeuron(l: number, j: number): boolean {
    const A = this.frame;
    const sizes = this.state.network.sizes;
    if (!A.neurons || !A.neuron_range || l < 1 || l >= sizes.length - 1) return false;
    const k = sizes.slice(1, l).reduce((a, b) => a + b, 0) + j;
    const T = A.neurons.shape[1];
    const lo = A.neuron_range.data[2 * k];
    const hi = A.neuron_range.data[2 * k + 1];
    this.heatmap.drawNeuron(
      A.neurons.data.subarray(k * T * T, (k + 1) * T * T) as Uint8Array,
      T,
      lo,
      hi,
    );
    $("pg-output-caption")!.textContent =
      `neuron ${j + 1} of layer ${l}: a over the plane, from ${fmt4(lo)} to ${fmt4(hi)}`;
    return true;
  }

  setMetrics(): void {
    const el = $("pg-metrics")!;
    const m = this.metrics;
    el.dataset.iteration = String(this.iteration);
    if (m) {
      el.dataset.trainLoss = String(m.train_loss);
      el.dataset.testLoss = String(m.test_loss ?? NaN);
      el.dataset.testAcc = String(m.test_acc ?? NaN);
    }
    el.textContent = metricsText(m, this.iteration);
    const hint = this.playing ? stallHint(this.history) : null;
    if (hint) this.info(hint, true);
    else if ($("pg-info")!.classList.contains("stalled")) this.info("");
  }

  fillForm(s: StateView): void {
    const form = $<HTMLFormElement>("pg-controls")!;
    const c = s.config;
    const set = (name: string, v: string) => {
      const el = form.elements.namedItem(name) as HTMLInputElement | null;
      if (el && "value" in el) el.value = v;
    };
    const ds = form.elements.namedItem("dataset") as HTMLSelectElement | null;
    if (ds && !Array.from(ds.options).some((o) => o.value === c.dataset))
      ds.appendChild(h("option", { value: c.dataset }, s.data.source));
    set("dataset", c.dataset);
    set("problem", c.problem);
    set("noise", String(c.noise));
    set("n", String(c.n_samples));
    set("ratio", String(c.train_ratio));
    set("hidden", c.hidden.join(","));
    set("activations", c.activations.join(","));
    set("init", c.init);
    set("seed", String(c.seed));
    set("lr", String(c.lr));
    set("m", String(c.batch_size));
    set("momentum", String(c.momentum));
    set("l2", String(c.l2));
    set("speed", String(c.speed));
    form.querySelectorAll<HTMLInputElement>('input[name="features"]').forEach((el) => {
      el.checked = (c.features as string[]).includes(el.value);
    });
    document.querySelectorAll<HTMLButtonElement>("button[data-dataset]").forEach((b) => {
      const on = b.dataset.dataset === c.dataset;
      b.classList.toggle("chosen", on);
      b.setAttribute("aria-pressed", String(on));
    });
  }

  /** Controls that do not apply to the data or the model are not shown. */
  showApplicable(s: StateView): void {
    const plane = s.data.n_inputs === 2 && !s.network.fixed;
    const generated = !s.config.dataset.includes(":") && !s.network.fixed;
    const show = (sel: string, on: boolean) =>
      document.querySelectorAll<HTMLElement>(sel).forEach((el) => {
        if (!el.classList.contains("hidden-by-classroom")) el.hidden = !on;
      });
    show('[data-needs="plane"]', plane);
    show('[data-needs="generated"]', generated && s.data.n_inputs === 2);
    show("#pg-point-form", s.data.n_inputs === 2);
    show("#pg-add-class-label", s.data.problem === "classification");
  }

  /** The row of the traced batch whose numbers are shown (0 for a single sample). */
  sampleRow(): number {
    const m = this.stage?.m ?? 1;
    const label = $("pg-row-label");
    if (label) label.hidden = m <= 1;
    const input = $<HTMLInputElement>("pg-row");
    if (!input || m <= 1) return 0;
    input.max = String(m - 1);
    return Math.max(0, Math.min(m - 1, Number(input.value) || 0));
  }

  /** The guided panel: what the stage just did, and its formula for the whole layer with numbers. */
  renderGuided(): void {
    const root = $("pg-guided");
    if (!root) return;
    const v = guidedView(this.stage, this.state.network.loss, this.state.config.lr, 0);
    root.dataset.kind = v.kind;
    root.dataset.l = v.l === null ? "" : String(v.l);
    replace(
      root,
      h("h3", { "data-testid": "guided-title" }, v.title),
      h("p", { class: "guided-sentence" }, v.sentence),
      v.lines.map((line) => {
        const div = h("div", {
          class: "formula-line",
          "data-math": line.tex,
          "data-quantity": line.quantity,
          "data-values": line.values === undefined ? undefined : JSON.stringify(line.values),
        });
        renderMathElement(div);
        return div;
      }),
    );
    const next = $<HTMLButtonElement>("pg-next");
    if (next) next.textContent = `Next stage: ${this.guidedNextLabel()}`;
  }

  /** What the next press of "Next stage" does. */
  guidedNextLabel(): string {
    const s = this.stage;
    if (!s || !s.a0 || s.phase === "idle") return "forward, layer 1";
    if (s.phase === "forward" && s.forward_done === s.L && this.guided === "forward")
      return "next sample";
    if (s.phase === "updated")
      return this.guided === "backward" ? "forward pass again" : "forward, layer 1";
    if (s.next === "forward") return `forward, layer ${s.forward_done + 1}`;
    if (s.next === "backward")
      return `backward, layer ${s.phase === "backward" ? s.L - s.backward_done : s.L}`;
    return "update the weights";
  }

  /** Forward through every layer of the chosen sample (the guided backward mode starts there). */
  async guidedForwardPass(): Promise<void> {
    const sample = Number($<HTMLInputElement>("pg-sample")!.value || 0);
    let st = await this.act<StageView>({ action: "forward", sample });
    while (st && st.phase === "forward" && st.forward_done < st.L)
      st = await this.act<StageView>({ action: "forward" });
  }

  /** One press of "Next stage" (button or →) in guided mode. */
  async guidedNext(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const s = this.stage;
      const sampleInput = $<HTMLInputElement>("pg-sample")!;
      if (this.guided === "forward" && s && s.phase === "forward" && s.forward_done === s.L) {
        // the forward lesson moves on to the next training sample
        const n = this.state.data.train_idx.length;
        sampleInput.value = String((Number(sampleInput.value || 0) + 1) % n);
        await this.act({ action: "forward", sample: Number(sampleInput.value) });
      } else if (this.guided === "backward" && s && s.phase === "updated") {
        await this.guidedForwardPass();
      } else {
        await this.runAction(s?.next ?? "forward");
      }
    } finally {
      this.busy = false;
    }
  }

  /** "Start again": back to the start of the stages on the chosen sample. */
  async guidedRestart(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      if (this.guided === "backward") await this.guidedForwardPass();
      else
        await this.act({
          action: "select",
          sample: Number($<HTMLInputElement>("pg-sample")!.value || 0),
        });
    } finally {
      this.busy = false;
    }
  }

  showFormula(l: number, j: number, focus = true): void {
    this.selected = [l, j];
    const root = $("pg-formula")!;
    if (l === 0) {
      const v = this.stage?.a0?.[this.sampleRow()]?.[j];
      replace(
        root,
        h("h3", {}, `input ${j + 1}: ${this.state.network.inputs[j]}`),
        h(
          "p",
          { title: v === undefined ? "" : String(v) },
          `a⁽⁰⁾ = ${v === undefined ? "–" : fmt4(v)}`,
        ),
      );
    } else {
      const n = this.stage
        ? neuronNumbers(
            this.stage,
            l,
            j,
            this.sampleRow(),
            this.state.network.loss,
            this.state.config.lr,
          )
        : null;
      renderNeuronFormula(root, n, `Neuron ${j + 1} of layer ${l}`);
      this.appendParamEditor(root, l, j);
    }
    if (focus) {
      root.setAttribute("tabindex", "-1");
      document
        .querySelectorAll("#pg-diagram g.neuron.selected")
        .forEach((e) => e.classList.remove("selected"));
      document
        .querySelector(`#pg-diagram g.neuron[data-l="${l}"][data-j="${j}"]`)
        ?.classList.add("selected");
      this.info(
        `Formulas of ${l === 0 ? `input ${j + 1}` : `neuron ${j + 1} of layer ${l}`} below the network.`,
      );
    }
  }

  /** A small form to set b_j^(l) or one w_ji^(l) of the shown neuron by hand. */
  appendParamEditor(root: HTMLElement, l: number, j: number): void {
    if (this.url.hide.includes("set_param")) return;
    const W = this.params[`W${l}`] as number[][] | undefined;
    const b = this.params[`b${l}`] as number[] | undefined;
    if (!W || !b) return;
    const sel = h(
      "select",
      { name: "which", "aria-label": "parameter" },
      h("option", { value: "b" }, `b_${j + 1}`),
      W[j].map((_w, i) => h("option", { value: i }, `w_${j + 1},${i + 1}`)),
    );
    const current = () => (sel.value === "b" ? b[j] : W[j][Number(sel.value)]);
    const input = h("input", {
      name: "value",
      type: "number",
      step: "any",
      required: true,
      "aria-label": "new value",
      style: "width:8em",
      value: fmt4(current()),
    });
    sel.onchange = () => (input.value = fmt4(current()));
    const form = h(
      "form",
      { class: "pg-param-editor", "data-control": "set_param" },
      h("label", {}, "set ", sel),
      " ",
      input,
      " ",
      h("button", { type: "submit" }, "Set"),
    );
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      const value = Number(input.value);
      await this.act(
        sel.value === "b"
          ? { action: "set_param", name: `b${l}`, index: [j], value }
          : { action: "set_param", name: `W${l}`, index: [j, Number(sel.value)], value },
      );
    };
    root.appendChild(form);
  }

  /** Send one action over the socket; its reply is applied to the page (or shown as refused). */
  async act<T = Reply>(msg: ActionMessage): Promise<T | null> {
    if (!this.client) return null;
    const reply = await this.client.send<Reply>(msg);
    if (reply.type === "error") {
      // "stage" refusals are guidance (what to do next), not errors
      this.message(refusalText(reply.errors), refusalCode(reply) === "stage" ? "info" : "error");
      return null;
    }
    this.message("");
    this.apply(reply);
    if (reply.type === "stage") this.announceStage(reply);
    return reply as T;
  }

  announceStage(st: StageView): void {
    if (st.action === "forward" || st.action === "backward")
      this.info(`${st.action} layer ${st.l} done; next: ${st.next}.`);
    else if (st.action === "update" || st.action === "step" || st.action === "batch")
      this.info(`Weights updated (iteration ${st.iteration}).`);
  }

  async runAction(action: string): Promise<void> {
    const sample = Number($<HTMLInputElement>("pg-sample")!.value || 0);
    if (action === "play") return this.togglePlay();
    // `action` is the pressed button's data-action, one of the stepping actions
    const msg = { action } as ActionMessage & { sample?: number };
    if (action === "step") msg.sample = sample;
    if (
      action === "forward" &&
      (!this.stage || this.stage.phase === "updated") &&
      this.stage?.selection.indices[0] !== sample
    )
      msg.sample = sample;
    await this.act(msg);
  }

  setPlaying(p: boolean): void {
    this.playing = p;
    const b = document.querySelector<HTMLButtonElement>('button[data-action="play"]');
    if (b) {
      b.textContent = p ? "Pause" : "Play";
      b.setAttribute("aria-pressed", String(p));
    }
  }

  async togglePlay(): Promise<void> {
    if (this.playing) {
      this.setPlaying(false);
      await this.act({ action: "pause" });
    } else {
      const r = await this.act({ action: "play" });
      if (r) this.setPlaying(true);
    }
  }

  /** Binary frames: the pictures, and while playing the weights and metrics too. Every frame's
   * metrics join the history; the panels are drawn once per animation frame with the latest. */
  onFrame(f: Frame): void {
    const meta = f.meta as Record<string, number | boolean | null>;
    if (meta.playing)
      this.pushHistory([
        [
          meta.iteration as number,
          meta.train_loss as number,
          (meta.test_loss as number) ?? NaN,
          (meta.train_acc as number) ?? NaN,
          (meta.test_acc as number) ?? NaN,
        ],
      ]);
    const first = this.pendingFrame === null;
    this.pendingFrame = f;
    if (first) requestAnimationFrame(() => this.drawFrame());
  }

  pendingFrame: Frame | null = null;
  /** Frames drawn (tests and the benchmark read it). */
  framesDrawn = 0;

  drawFrame(): void {
    const f = this.pendingFrame;
    this.pendingFrame = null;
    if (!f) return;
    this.framesDrawn++;
    document.body.dataset.framesDrawn = String(this.framesDrawn);
    const meta = f.meta as Record<string, number | boolean | null>;
    this.frame = f.arrays;
    if (meta.playing) {
      // float32 copies, sent only while playing; pausing replies with the exact weights
      const params: Params = {};
      for (const [k, v] of Object.entries(f.arrays))
        if (/^[Wb]\d+$/.test(k)) params[k] = toNested(v);
      if (Object.keys(params).length) this.params = params;
      this.iteration = meta.iteration as number;
      this.stage = null;
      this.render();
      this.announceMetrics();
    } else this.drawPictures();
  }

  /** While playing, the metrics are read out at most every 10 seconds. */
  announceMetrics(): void {
    const now = performance.now();
    if (now - this.lastAnnounce < 10_000 || $("pg-info")!.classList.contains("stalled")) return;
    this.lastAnnounce = now;
    this.info(metricsText(this.metrics, this.iteration));
  }

  async configure(change: Partial<PlaygroundConfig> | null = null): Promise<void> {
    const cfg = change
      ? { ...this.state.config, ...change }
      : readForm($<HTMLFormElement>("pg-controls")!, this.url.config);
    await this.act({ action: "configure", config: cfg });
  }

  editWeight(l: number, j: number, i: number, w: number, at: { x: number; y: number }): void {
    if (this.url.hide.includes("set_param")) return;
    openWeightEditor(
      $("pg-diagram")!,
      at,
      `w_${j + 1}${i + 1}^(${l})`,
      w,
      async (value) => {
        await this.act({ action: "set_param", name: `W${l}`, index: [j, i], value });
        this.diagram.focusEdge(l, j, i);
      },
      () => this.diagram.focusEdge(l, j, i),
    );
  }

  async editData(x1: number, x2: number, remove: boolean): Promise<void> {
    if (this.url.hide.includes("data_editor") || this.state.data.n_inputs !== 2) return;
    const target =
      this.state.data.problem === "classification"
        ? Number($<HTMLSelectElement>("pg-add-class")?.value ?? 0)
        : 0.5;
    const msg = editMessage(this.state.data.X, x1, x2, remove, target);
    if (msg) await this.act(msg);
  }

  bind(): void {
    document
      .querySelectorAll<HTMLButtonElement>("button[data-action]")
      .forEach((b) => b.addEventListener("click", () => void this.runAction(b.dataset.action!)));
    document.querySelectorAll<HTMLButtonElement>("button[data-dataset]").forEach((b) =>
      b.addEventListener("click", () => {
        const problem = b.dataset.problem as PlaygroundConfig["problem"];
        const change: Partial<PlaygroundConfig> = {
          dataset: b.dataset.dataset!,
          added: [],
          removed: [],
        };
        if (problem !== this.state.config.problem) change.problem = problem;
        if (b.dataset.dataset === "sine") change.features = ["x1", "x2"];
        void this.configure(change);
      }),
    );
    const form = $<HTMLFormElement>("pg-controls")!;
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.configure();
    });
    // settings apply as soon as they change (Enter in a field submits the form too)
    form.addEventListener("change", (ev) => {
      if ((ev.target as HTMLElement).closest(".pg-datasets")) return;
      void this.configure();
    });
    document
      .querySelectorAll<HTMLInputElement>(".pg-bar-fields input[form='pg-controls']")
      .forEach((el) => el.addEventListener("change", () => void this.configure()));
    $<HTMLInputElement>("pg-row")?.addEventListener("input", () => this.render());
    $("pg-next")?.addEventListener("click", () => void this.guidedNext());
    $("pg-restart")?.addEventListener("click", () => void this.guidedRestart());
    $<HTMLSelectElement>("pg-color")!.addEventListener("change", () => {
      this.url.color = $<HTMLSelectElement>("pg-color")!.value as "a" | "u";
      this.render();
    });
    const pointForm = $<HTMLFormElement>("pg-point-form")!;
    const point = () => {
      const v = (n: string) => Number((pointForm.elements.namedItem(n) as HTMLInputElement).value);
      return [v("x1"), v("x2")] as const;
    };
    pointForm.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.editData(...point(), false);
    });
    $("pg-remove-point")!.addEventListener("click", () => void this.editData(...point(), true));
    document.addEventListener("keydown", (ev) => {
      const t = ev.target as HTMLElement;
      if (t && t.closest("input, select, textarea, form")) return;
      // Enter and Space press a focused button, link, neuron or weight; → still steps
      const pressable = t?.closest("a, [role='button'], button[data-action='play']");
      if (ev.key === "ArrowRight" && this.guided) {
        ev.preventDefault();
        void this.guidedNext();
      } else if (ev.key === "ArrowRight") {
        ev.preventDefault();
        const next = this.stage?.next ?? "forward";
        if (!this.url.hide.includes(next)) void this.runAction(next);
      } else if (ev.key === " " && !this.guided && !pressable) {
        ev.preventDefault(); // on another button too: Space is play/pause here
        if (!this.url.hide.includes("play")) void this.togglePlay();
      }
    });
    $<HTMLFormElement>("pg-save-form")?.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const name = $<HTMLInputElement>("pg-save-name")!.value;
      const r = await this.client?.send<ExperimentSaved | ErrorView>({ action: "save", name });
      if (!r || r.type === "error") {
        if (r) this.message(refusalText(r.errors));
        return;
      }
      const e = r.experiment;
      $("pg-experiments")!.prepend(
        h(
          "li",
          { "data-experiment": e.id },
          h("a", { href: `?experiment=${e.id}` }, e.name),
          " ",
          h("small", {}, `${e.dataset} · ${e.iteration} updates`),
          " ",
          h("button", { type: "button", "data-delete-experiment": e.id }, "delete"),
        ),
      );
      this.message(`Saved “${e.name}”.`, "info");
    });
    $("pg-experiments")?.addEventListener("click", async (ev) => {
      const id = (ev.target as HTMLElement).dataset.deleteExperiment;
      if (!id) return;
      unwrap(
        await api.DELETE("/api/playground/experiments/{id}/", {
          params: { path: { id: Number(id) } },
        }),
      );
      document.querySelector(`li[data-experiment="${id}"]`)?.remove();
    });
    $<HTMLFormElement>("pg-link-form")?.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = ev.target as HTMLFormElement;
      const hide = Array.from(
        f.querySelectorAll<HTMLInputElement>('input[name="hide"]:checked'),
      ).map((el) => el.value);
      const title = (f.elements.namedItem("title") as HTMLInputElement).value;
      try {
        const link = unwrap(
          await api.POST("/api/playground/classroom-links/", {
            body: { config: this.state.config, hide: hide as ClassroomLink["hide"], title },
          }),
        );
        replace(
          $("pg-link-out")!,
          h("a", { href: link.url }, `${window.location.origin}${link.url}`),
        );
      } catch (err) {
        this.message(errorText(err));
      }
    });
  }
}

/** Set an element's text only when it differs (a new text node would be laid out again). */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const body = err.body as { errors?: ErrorView["errors"] } | undefined;
    return body?.errors?.length ? refusalText(body.errors) : err.message;
  }
  return String(err);
}

function toNested(a: FrameArray): number[][] | number[] {
  if (a.shape.length === 1) return Array.from(a.data);
  const [r, c] = a.shape;
  return Array.from({ length: r }, (_, i) => Array.from(a.data.subarray(i * c, (i + 1) * c)));
}

function init(): void {
  const page = new PlaygroundPage();
  (window as unknown as { nnwebPlayground: PlaygroundPage }).nnwebPlayground = page;
  void page.start();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
