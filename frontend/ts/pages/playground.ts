// The backprop playground page: opens a session (REST), a websocket to it, and wires the
// panels. See nnweb/playground/services.py for the actions and their replies.
import { offerClassSetup, type ClassSetup } from "../classes/setupOffer"; // classes hook
import { ApiError, apiFetch, postJSON } from "../api/http";
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
import { PlaygroundClient } from "../playground/client";
import type { Frame, FrameArray } from "../playground/frame";
import { readForm } from "../playground/form";
import { fromQuery, toQuery, type UrlState } from "../playground/state";
import type {
  ErrorView,
  GradcheckView,
  MetricsView,
  Params,
  StageView,
  StateView,
} from "../playground/types";
import "../playground/playground.css";

const $ = <T extends HTMLElement = HTMLElement>(id: string) =>
  document.getElementById(id) as T | null;

class PlaygroundPage {
  url: UrlState;
  state!: StateView;
  stage: StageView | null = null;
  client: PlaygroundClient | null = null;
  diagram: NetworkDiagram;
  heatmap: Heatmap;
  history: number[][] = [];
  params: Params = {};
  selected: [number, number] | null = null;
  playing = false;
  classroom: { token: string; title: string; hide: string[] } | null;
  /** Guided mode (?guided=…): one "Next stage" button, the stage's formula beside the diagram. */
  guided: GuidedMode | null = guidedMode(window.location.search);
  embed = embedMode(window.location.search);
  busy = false;

  constructor() {
    this.classroom = JSON.parse($("pg-classroom")?.textContent ?? "null");
    this.url = fromQuery(window.location.search);
    if (this.classroom) {
      this.url.config = JSON.parse($("pg-config")!.textContent!);
      this.url.hide = this.classroom.hide;
    }
    this.diagram = new NetworkDiagram($("pg-diagram")!, {
      onNeuron: (l, j) => this.showFormula(l, j),
      onEdge: (l, j, i, w) => this.editWeight(l, j, i, w),
    });
    this.heatmap = new Heatmap($("pg-heatmap")!, (x1, x2, remove) => this.editData(x1, x2, remove));
    (document.getElementById("pg-color") as HTMLSelectElement).value = this.url.color;
    this.hideControls();
    this.bind();
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

  message(text: string, kind: "error" | "info" = "error"): void {
    const box = $("pg-messages")!;
    box.innerHTML = "";
    if (!text) return;
    const p = document.createElement("p");
    p.className = kind === "error" ? "pg-error" : "pg-info";
    p.textContent = text;
    box.appendChild(p);
  }

  async start(): Promise<void> {
    const body: Record<string, unknown> = { config: this.url.config };
    if (this.url.model) body.model = this.url.model;
    if (this.url.experiment) body.experiment = Number(this.url.experiment);
    // A classroom session is opened with the link's token, so the server refuses what it hides.
    const fallback: Record<string, unknown> = { config: {} };
    if (this.classroom) body.classroom = fallback.classroom = this.classroom.token;
    try {
      this.state = await postJSON<StateView>("/api/playground/sessions/", body);
    } catch (err) {
      this.message(
        err instanceof ApiError ? ((err.body as ErrorView).message ?? err.message) : String(err),
      );
      this.state = await postJSON<StateView>("/api/playground/sessions/", fallback);
    }
    document.body.dataset.session = this.state.session;
    this.client = new PlaygroundClient(this.state.session, {
      onFrame: (f) => this.onFrame(f),
      onError: (e) => this.message(e.message),
      onMessage: (m) => {
        if (m.type === "paused") this.setPlaying(false);
        if (m.type === "class_setup") offerClassSetup(m as unknown as ClassSetup); // classes hook
      },
      onClose: () =>
        this.message("The connection to the server closed; reload the page to continue."),
    });
    await this.client.ready;
    this.applyState(this.state);
    await this.requestFrame();
    if (this.guided === "backward") await this.guidedForwardPass();
    document.body.dataset.ready = "1";
  }

  applyState(s: StateView): void {
    this.state = s;
    this.url.config = s.config;
    if (!this.classroom) {
      let q = toQuery({ ...this.url, experiment: null });
      if (this.guided)
        q += `&guided=${this.guided === "all" ? "1" : this.guided}${this.embed ? "&embed=1" : ""}`;
      window.history.replaceState(null, "", `${window.location.pathname}?${q}`);
    }
    this.params = s.params;
    this.history = s.history.slice();
    this.stage = s.stage.a0 ? s.stage : null;
    const ext = s.data.extent ?? [
      [-1, 1],
      [-1, 1],
    ];
    this.heatmap.extent = (ext.length === 1 ? [ext[0], [-1, 1]] : ext) as [
      [number, number],
      [number, number],
    ];
    const sample = $<HTMLInputElement>("pg-sample")!;
    sample.max = String(s.data.train_idx.length - 1);
    const addClass = $<HTMLSelectElement>("pg-add-class");
    if (addClass && s.data.problem === "classification")
      addClass.innerHTML = s.data.class_names
        .map((c, k) => `<option value="${k}">${c}</option>`)
        .join("");
    this.fillForm(s);
    this.redraw();
    drawLossChart($("pg-loss")!, this.history);
    this.setMetrics(
      this.history.length ? this.history[this.history.length - 1] : null,
      s.iteration,
    );
    this.setPlaying(s.playing);
  }

  fillForm(s: StateView): void {
    const form = $<HTMLFormElement>("pg-controls")!;
    const c = s.config;
    const set = (name: string, v: string) => {
      const el = form.elements.namedItem(name) as HTMLInputElement | null;
      if (el && "value" in el) el.value = v;
    };
    const ds = form.elements.namedItem("dataset") as HTMLSelectElement | null;
    if (ds && !Array.from(ds.options).some((o) => o.value === c.dataset)) {
      const o = document.createElement("option");
      o.value = c.dataset;
      o.textContent = s.data.source;
      ds.appendChild(o);
    }
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
      el.checked = c.features.includes(el.value);
    });
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

  redraw(): void {
    const s = this.state;
    this.diagram.draw({
      sizes: s.network.sizes,
      activations: s.network.activations,
      inputLabels: s.network.inputs,
      params: this.params,
      stage: this.stage,
      colorBy: (document.getElementById("pg-color") as HTMLSelectElement).value as "a" | "u",
      sampleRow: this.sampleRow(),
    });
    const stageText = this.stage
      ? `stage: ${this.stage.phase}${this.stage.l ? ` (layer ${this.stage.l})` : ""} — next: ${this.stage.next}`
      : "stage: idle — next: forward";
    $("pg-stage")!.textContent = stageText;
    $("pg-stage")!.dataset.phase = this.stage?.phase ?? "idle";
    if (this.stage) renderStageNumbers($("pg-numbers")!, this.stage, this.sampleRow());
    else $("pg-numbers")!.innerHTML = "";
    if (this.selected) this.showFormula(...this.selected);
    if (this.guided) this.renderGuided();
    const chosen = this.stage
      ? this.stage.selection.indices.map((i) => this.state.data.train_idx[i])
      : [];
    this.heatmap.drawPoints(
      { X: s.data.X, y: s.data.y as (number | number[])[], train: new Set(s.data.train_idx) },
      s.data.problem,
      chosen,
    );
  }

  /** The guided panel: what the stage just did, and its formula for the whole layer with numbers. */
  renderGuided(): void {
    const root = $("pg-guided");
    if (!root) return;
    const v = guidedView(this.stage, this.state.network.loss, this.state.config.lr, 0);
    root.innerHTML = "";
    root.dataset.kind = v.kind;
    root.dataset.l = v.l === null ? "" : String(v.l);
    const h = document.createElement("h3");
    h.dataset.testid = "guided-title";
    h.textContent = v.title;
    const p = document.createElement("p");
    p.className = "guided-sentence";
    p.textContent = v.sentence;
    root.append(h, p);
    for (const line of v.lines) {
      const div = document.createElement("div");
      div.className = "formula-line";
      div.dataset.math = line.tex;
      if (line.quantity) div.dataset.quantity = line.quantity;
      if (line.values !== undefined) div.dataset.values = JSON.stringify(line.values);
      root.appendChild(div);
      renderMathElement(div);
    }
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
    if (st) this.onStage(st);
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
        const st = await this.act<StageView>({
          action: "forward",
          sample: Number(sampleInput.value),
        });
        if (st) this.onStage(st);
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
      else {
        const st = await this.act<StageView>({
          action: "select",
          sample: Number($<HTMLInputElement>("pg-sample")!.value || 0),
        });
        if (st) this.onStage(st);
      }
    } finally {
      this.busy = false;
    }
  }

  showFormula(l: number, j: number): void {
    this.selected = [l, j];
    const root = $("pg-formula")!;
    if (l === 0) {
      const v = this.stage?.a0?.[this.sampleRow()]?.[j];
      root.innerHTML = `<h3>input ${j + 1}: ${this.state.network.inputs[j]}</h3><p>a⁽⁰⁾ = ${v ?? "–"}</p>`;
      return;
    }
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

  /** A small form to set b_j^(l) or one w_ji^(l) of the shown neuron by hand. */
  appendParamEditor(root: HTMLElement, l: number, j: number): void {
    if (this.url.hide.includes("set_param")) return;
    const W = this.params[`W${l}`] as number[][] | undefined;
    const b = this.params[`b${l}`] as number[] | undefined;
    if (!W || !b) return;
    const form = document.createElement("form");
    form.className = "pg-param-editor";
    form.dataset.control = "set_param";
    const options = [`<option value="b">b_${j + 1}</option>`]
      .concat(W[j].map((_w, i) => `<option value="${i}">w_${j + 1},${i + 1}</option>`))
      .join("");
    form.innerHTML = `<label>set <select name="which">${options}</select></label> <input name="value" type="number" step="any" required style="width:8em"> <button type="submit">Set</button>`;
    const sel = form.querySelector("select")!;
    const input = form.querySelector<HTMLInputElement>("input[name=value]")!;
    const current = () => (sel.value === "b" ? b[j] : W[j][Number(sel.value)]);
    input.value = String(current());
    sel.onchange = () => (input.value = String(current()));
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      const msg =
        sel.value === "b"
          ? { action: "set_param", name: `b${l}`, index: [j], value: Number(input.value) }
          : {
              action: "set_param",
              name: `W${l}`,
              index: [j, Number(sel.value)],
              value: Number(input.value),
            };
      const st = await this.act<StageView>(msg);
      if (st) this.onStage(st);
    };
    root.appendChild(form);
  }

  async act<T = Record<string, unknown>>(msg: Record<string, unknown>): Promise<T | null> {
    if (!this.client) return null;
    const reply = await this.client.send<Record<string, unknown>>(msg);
    if (reply.type === "error") {
      this.message((reply as unknown as ErrorView).message);
      return null;
    }
    this.message("");
    return reply as T;
  }

  async runAction(action: string): Promise<void> {
    const sample = Number($<HTMLInputElement>("pg-sample")!.value || 0);
    switch (action) {
      case "play":
        return this.togglePlay();
      case "gradcheck": {
        const g = await this.act<GradcheckView>({ action: "gradcheck" });
        if (g) renderGradcheck($("pg-gradcheck")!, g);
        return;
      }
      case "epoch": {
        const m = await this.act<MetricsView>({ action: "epoch" });
        if (m) this.onMetrics(m);
        await this.requestFrame();
        return;
      }
      case "reset": {
        const s = await this.act<StateView>({ action: "reset" });
        if (s) this.applyState(s);
        await this.requestFrame();
        return;
      }
      default: {
        const msg: Record<string, unknown> = { action };
        if (action === "step") msg.sample = sample;
        if (
          action === "forward" &&
          (!this.stage || this.stage.phase === "updated") &&
          this.stage?.selection.indices[0] !== sample
        )
          msg.sample = sample;
        const st = await this.act<StageView>(msg);
        if (!st) return;
        this.onStage(st);
      }
    }
  }

  onStage(st: StageView): void {
    this.stage = st;
    if (st.params) this.params = st.params;
    if (st.metrics) this.history.push(st.metrics);
    if (st.per_sample) renderBatch($("pg-batch")!, st);
    this.redraw();
    drawLossChart($("pg-loss")!, this.history);
    if (st.params) void this.requestFrame();
    this.setMetrics(st.metrics ?? null, st.iteration);
  }

  onMetrics(m: MetricsView): void {
    this.history = this.history.concat(
      m.history.filter(
        (h) => !this.history.length || h[0] > this.history[this.history.length - 1][0],
      ),
    );
    drawLossChart($("pg-loss")!, this.history);
    this.setMetrics(
      [m.iteration, m.train_loss, m.test_loss ?? NaN, m.train_acc ?? NaN, m.test_acc ?? NaN],
      m.iteration,
    );
  }

  setMetrics(h: number[] | null, iteration: number): void {
    const el = $("pg-metrics")!;
    el.dataset.iteration = String(iteration);
    if (!h) {
      el.textContent = `iteration ${iteration}`;
      return;
    }
    el.dataset.trainLoss = String(h[1]);
    el.dataset.testLoss = String(h[2]);
    const acc = Number.isFinite(h[4]) ? `, test accuracy ${(100 * h[4]).toFixed(1)}%` : "";
    el.textContent = `iteration ${iteration}: train loss ${h[1].toFixed(4)}, test loss ${Number.isFinite(h[2]) ? h[2].toFixed(4) : "–"}${acc}`;
  }

  async requestFrame(): Promise<void> {
    // the binary reply arrives through onFrame
    if (this.client) await this.client.fire({ action: "frame" });
  }

  onFrame(f: Frame): void {
    const meta = f.meta as Record<string, number | boolean | null>;
    const A = f.arrays;
    if (A.out) {
      const ys = (this.state.data.y as unknown[]).map((v) =>
        Array.isArray(v) ? v[0] : v,
      ) as number[];
      const range: [number, number] = [Math.min(...ys), Math.max(...ys)];
      this.heatmap.drawGrid(A.out, this.state.data.problem, range);
    }
    if (A.curve && A.curve_x) {
      this.heatmap.drawCurve(A.curve_x, A.curve, {
        X: this.state.data.X,
        y: this.state.data.y as (number | number[])[],
        train: new Set(this.state.data.train_idx),
      });
      this.redraw();
    }
    if (A.neurons && A.neuron_range) {
      const labels: string[] = [];
      this.state.network.sizes.slice(1, -1).forEach((n, i) => {
        for (let j = 0; j < n; j++) labels.push(`${i + 1}.${j + 1}`);
      });
      drawThumbnails($("pg-thumbs")!, A.neurons, A.neuron_range, labels);
    }
    const params: Params = {};
    for (const [k, v] of Object.entries(A)) if (/^[Wb]\d+$/.test(k)) params[k] = toNested(v);
    if (Object.keys(params).length) this.params = params;
    if (meta.playing) {
      const h = [
        meta.iteration as number,
        meta.train_loss as number,
        (meta.test_loss as number) ?? NaN,
        (meta.train_acc as number) ?? NaN,
        (meta.test_acc as number) ?? NaN,
      ];
      this.history.push(h);
      if (this.history.length > 4000) this.history = this.history.filter((_, i) => i % 2 === 0);
      drawLossChart($("pg-loss")!, this.history);
      this.setMetrics(h, meta.iteration as number);
      this.stage = null;
      this.redraw();
    }
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
      const r = await this.act<MetricsView>({ action: "play" });
      if (r) this.setPlaying(true);
    }
  }

  async configure(): Promise<void> {
    const form = $<HTMLFormElement>("pg-controls")!;
    const cfg = readForm(form, this.url.config);
    const s = await this.act<StateView>({ action: "configure", config: cfg });
    if (s) {
      this.selected = null;
      $("pg-formula")!.innerHTML = "";
      this.diagram = new NetworkDiagram($("pg-diagram")!, {
        onNeuron: (l, j) => this.showFormula(l, j),
        onEdge: (l, j, i, w) => this.editWeight(l, j, i, w),
      });
      this.applyState(s);
      await this.requestFrame();
    }
  }

  async editWeight(l: number, j: number, i: number, w: number): Promise<void> {
    if (this.url.hide.includes("set_param")) return;
    const text = window.prompt(`New value of w_${j + 1}${i + 1}^(${l}) (now ${w})`, String(w));
    if (text === null) return;
    const st = await this.act<StageView>({
      action: "set_param",
      name: `W${l}`,
      index: [j, i],
      value: Number(text),
    });
    if (st) this.onStage(st);
  }

  async editData(x1: number, x2: number, remove: boolean): Promise<void> {
    if (this.url.hide.includes("data_editor") || this.state.data.n_inputs !== 2) return;
    const target =
      this.state.data.problem === "classification"
        ? Number($<HTMLSelectElement>("pg-add-class")?.value ?? 0)
        : 0.5;
    const msg = editMessage(this.state.data.X, x1, x2, remove, target);
    if (!msg) return;
    const s = await this.act<StateView>(msg);
    if (s) {
      this.applyState(s);
      await this.requestFrame();
    }
  }

  bind(): void {
    document
      .querySelectorAll<HTMLButtonElement>("button[data-action]")
      .forEach((b) => b.addEventListener("click", () => void this.runAction(b.dataset.action!)));
    $<HTMLFormElement>("pg-controls")!.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.configure();
    });
    $<HTMLInputElement>("pg-row")?.addEventListener("input", () => this.redraw());
    $("pg-next")?.addEventListener("click", () => void this.guidedNext());
    $("pg-restart")?.addEventListener("click", () => void this.guidedRestart());
    $<HTMLSelectElement>("pg-color")!.addEventListener("change", () => {
      this.url.color = $<HTMLSelectElement>("pg-color")!.value as "a" | "u";
      this.redraw();
    });
    document.addEventListener("keydown", (ev) => {
      const t = ev.target as HTMLElement;
      if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA"))
        return;
      if (ev.key === "ArrowRight" && this.guided) {
        ev.preventDefault();
        void this.guidedNext();
      } else if (ev.key === "ArrowRight") {
        ev.preventDefault();
        const next = this.stage?.next ?? "forward";
        if (!this.url.hide.includes(next)) void this.runAction(next);
      } else if (ev.key === " " && !this.guided) {
        ev.preventDefault();
        if (!this.url.hide.includes("play")) void this.togglePlay();
      }
    });
    $<HTMLFormElement>("pg-save-form")?.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const name = $<HTMLInputElement>("pg-save-name")!.value;
      const r = await this.act<{
        experiment: { id: number; name: string; dataset: string; iteration: number };
      }>({ action: "save", name });
      if (!r) return;
      const li = document.createElement("li");
      li.dataset.experiment = String(r.experiment.id);
      li.innerHTML = `<a href="?experiment=${r.experiment.id}"></a> <small></small> <button type="button" data-delete-experiment="${r.experiment.id}">delete</button>`;
      li.querySelector("a")!.textContent = r.experiment.name;
      li.querySelector("small")!.textContent =
        `${r.experiment.dataset} · ${r.experiment.iteration} updates`;
      $("pg-experiments")!.prepend(li);
      this.message(`Saved “${r.experiment.name}”.`, "info");
    });
    $("pg-experiments")?.addEventListener("click", async (ev) => {
      const id = (ev.target as HTMLElement).dataset.deleteExperiment;
      if (!id) return;
      await apiFetch(`/api/playground/experiments/${id}/`, { method: "DELETE" });
      document.querySelector(`li[data-experiment="${id}"]`)?.remove();
    });
    $<HTMLFormElement>("pg-link-form")?.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const form = ev.target as HTMLFormElement;
      const hide = Array.from(
        form.querySelectorAll<HTMLInputElement>('input[name="hide"]:checked'),
      ).map((el) => el.value);
      const title = (form.elements.namedItem("title") as HTMLInputElement).value;
      try {
        const link = await postJSON<{ url: string }>("/api/playground/classroom-links/", {
          config: this.state.config,
          hide,
          title,
        });
        const out = $("pg-link-out")!;
        out.innerHTML = `<a href="${link.url}">${window.location.origin}${link.url}</a>`;
      } catch (err) {
        this.message(
          err instanceof ApiError ? ((err.body as ErrorView).message ?? err.message) : String(err),
        );
      }
    });
  }
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
