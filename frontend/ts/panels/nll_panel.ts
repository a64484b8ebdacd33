// Maximum-likelihood panels: move a predicted distribution over classes and read −log ŷ of
// the true class; slide σ and see the Gaussian NLL equal ½·SSE/σ² plus a constant.
import * as d3 from "d3";
import { MIN_FONT_PX } from "../charts";
import { fmt, softmax } from "./lesson_math";
import {
  button,
  debounce,
  fitWidth,
  h,
  lessonApi,
  lineChart,
  select,
  slider,
  statusLine,
} from "./lesson_ui";

export function mountNllPanel(host: HTMLElement): void {
  // The lesson's example: three classes, y-hat = (0.7, 0.2, 0.1), the first true, E = 0.357.
  const K = 3;
  const logits = [Math.log(0.7), Math.log(0.2), Math.log(0.1)];
  let trueClass = 0;
  const bars = h("div", { "data-testid": "nll-bars" });
  const curve = h("div", { "data-testid": "nll-curve" });
  const ps = Array.from({ length: 100 }, (_v, i) => 0.01 + (0.99 * i) / 99);
  const out = h("p", { class: "big-result", "data-testid": "nll-value", "aria-live": "polite" });
  const sliders = h("div", { class: "panel-controls" });
  logits.forEach((v, k) =>
    sliders.append(
      slider(`score of class ${k}`, -4, 4, 0.01, v, (nv) => {
        logits[k] = nv;
        load();
      }),
    ),
  );
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "true class",
        Array.from({ length: K }, (_v, k) => [String(k), `class ${k}`] as [string, string]),
        "0",
        (v) => {
          trueClass = Number(v);
          load();
        },
      ),
    ),
    sliders,
    h("div", { class: "panel-row" }, bars, curve),
    out,
  );
  const status = statusLine(host);

  function drawBars(p: number[]) {
    bars.replaceChildren();
    // Drawn at its own width, never scaled by a viewBox: its text stays at the chart module's
    // size on a phone.
    const W = fitWidth(bars, 360);
    const H = 180;
    const svg = d3
      .select(bars)
      .append("svg")
      .attr("viewBox", `0 0 ${W} ${H}`)
      .attr("width", W)
      .attr("height", H)
      .attr("role", "img")
      .attr(
        "aria-label",
        `predicted probabilities: ${p.map((v, k) => `class ${k} ${fmt(v, 3)}`).join(", ")}; target: class ${trueClass}`,
      );
    const x = d3
      .scaleBand<number>()
      .domain(d3.range(K))
      .range([40, W - 10])
      .padding(0.25);
    const y = d3
      .scaleLinear()
      .domain([0, 1])
      .range([H - 28, 18]);
    const axis = (g: d3.Selection<SVGGElement, unknown, null, undefined>) =>
      g
        .attr("font-size", MIN_FONT_PX)
        .call((a) => a.selectAll("text").attr("fill", "currentColor"));
    svg
      .append("g")
      .attr("transform", `translate(0,${H - 28})`)
      .call(d3.axisBottom(x).tickFormat((d) => `class ${d}`))
      .call(axis);
    svg.append("g").attr("transform", "translate(40,0)").call(d3.axisLeft(y).ticks(4)).call(axis);
    svg
      .selectAll("rect.bar")
      .data(p)
      .join("rect")
      .attr("class", "bar")
      .attr("x", (_d, i) => x(i)!)
      .attr("width", x.bandwidth())
      .attr("y", (d) => y(d))
      .attr("height", (d) => y(0) - y(d))
      .attr("fill", (_d, i) => (i === trueClass ? "#2a7ab9" : "#bbb"));
    svg
      .selectAll("text.pv")
      .data(p)
      .join("text")
      .attr("class", "pv")
      .attr("x", (_d, i) => x(i)! + x.bandwidth() / 2)
      .attr("y", (d) => y(d) - 4)
      .attr("text-anchor", "middle")
      .attr("font-size", MIN_FONT_PX)
      .attr("fill", "currentColor")
      .text((d) => fmt(d, 3));
  }

  const load = debounce(async () => {
    try {
      const probs = softmax(logits);
      drawBars(probs);
      const r = await lessonApi("nll", { probs, true_class: trueClass });
      out.textContent = `P(true class ${r.true_class}) = ${fmt(r.likelihood, 4)}   →   −log ŷ = ${fmt(r.nll, 4)}`;
      lineChart(
        curve,
        [
          { name: "−log ŷ", x: ps, y: ps.map((v) => -Math.log(v)) },
          {
            name: "this prediction",
            x: [r.likelihood, r.likelihood],
            y: [0, r.nll ?? 0],
          },
        ],
        {
          xLabel: "p of the true class",
          yLabel: "error E",
          width: 340,
          height: 190,
          yDomain: [0, 4.7],
        },
      );
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }, 120);
  load();
}

export function mountGaussianPanel(host: HTMLElement): void {
  const y = [1.2, 0.4, 2.1, 1.6, 0.9, 1.9];
  const yHat = [1.0, 0.7, 1.8, 1.5, 1.2, 2.2];
  let sigma = 1;
  const table = h("table", { class: "data-table" });
  table.append(
    h("tr", {}, h("th", { text: "n" }), h("th", { text: "yₙ" }), h("th", { text: "ŷₙ" })),
  );
  y.forEach((v, i) =>
    table.append(
      h(
        "tr",
        {},
        h("td", { text: String(i + 1) }),
        h("td", { text: fmt(v) }),
        h("td", { text: fmt(yHat[i]) }),
      ),
    ),
  );
  const out = h("div", { class: "sum-line", "data-testid": "gauss-value", "aria-live": "polite" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      slider("σ", 0.2, 3, 0.05, sigma, (v) => {
        sigma = v;
        load();
      }),
    ),
    h("div", { class: "panel-row" }, table, out),
  );
  const status = statusLine(host);
  const load = debounce(async () => {
    try {
      const r = await lessonApi("gaussian_nll", { y, y_hat: yHat, sigma });
      out.replaceChildren(
        h("p", { text: `½·SSE = ${fmt(r.half_sse, 4)} (does not depend on σ)` }),
        h("p", { text: `½·SSE / σ² = ${fmt(r.scaled_half_sse, 4)}` }),
        h("p", { text: `N/2 · log(2πσ²) = ${fmt(r.constant, 4)} (no ŷ in it)` }),
        h("p", {
          class: "big-result",
          text: `NLL = ${fmt(r.nll, 4)}  (summing −log N(yₙ | ŷₙ, σ²) directly: ${fmt(r.nll_direct, 4)})`,
        }),
      );
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }, 120);
  load();
}

/** The Gaussian variance MLE by simulation: mean estimate against N, the (N-1)/N bias. */
export function mountMleBias(host: HTMLElement): void {
  let sigma = 1;
  let seed = 0;
  const chart = h("div", { "data-testid": "mle-chart" });
  const table = h("table", { class: "data-table", "data-testid": "mle-table" });
  const summary = h("p", {
    class: "sum-line",
    "aria-live": "polite",
    "data-testid": "mle-summary",
  });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "true σ",
        [
          ["0.5", "0.5"],
          ["1", "1"],
          ["2", "2"],
        ],
        "1",
        (v) => {
          sigma = Number(v);
          load();
        },
      ),
      button("Draw new samples", () => {
        seed += 1;
        load();
      }),
    ),
    h("div", { class: "panel-row" }, chart, table),
    summary,
  );
  const status = statusLine(host);
  const load = debounce(async () => {
    try {
      const r = await lessonApi("mle_variance", { sigma, seed });
      const Ns = r.rows.map((row) => row.N);
      lineChart(
        chart,
        [
          { name: "mean of the MLE σ̂² (simulated)", x: Ns, y: r.rows.map((row) => row.mean_mle) },
          {
            name: "(N − 1)/N · σ²",
            x: Ns,
            y: r.rows.map((row) => row.expected_mle),
          },
          {
            name: "true σ²",
            x: [Ns[0], Ns[Ns.length - 1]],
            y: [r.variance, r.variance],
          },
        ],
        {
          xLabel: "sample size N",
          yLabel: "variance",
          height: 220,
          yDomain: [0, r.variance * 1.15],
          title: `mean MLE of the variance against N, rising from ${fmt(r.rows[0].mean_mle, 3)} at N = ${Ns[0]} to ${fmt(r.rows[r.rows.length - 1].mean_mle, 3)} at N = ${Ns[Ns.length - 1]}; true variance ${fmt(r.variance, 3)}`,
        },
      );
      table.replaceChildren(
        h(
          "tr",
          {},
          h("th", { text: "N" }),
          h("th", { text: "mean σ̂²" }),
          h("th", { text: "(N − 1)/N σ²" }),
          h("th", { text: "spread (sd)" }),
        ),
        ...r.rows.map((row) =>
          h(
            "tr",
            {},
            h("td", { text: String(row.N) }),
            h("td", { text: fmt(row.mean_mle, 3) }),
            h("td", { text: fmt(row.expected_mle, 3) }),
            h("td", { text: fmt(row.sd_mle, 3) }),
          ),
        ),
      );
      const first = r.rows[0];
      const last = r.rows[r.rows.length - 1];
      summary.textContent =
        `${r.repeats} samples of each size: with N = ${first.N} the MLE averages ${fmt(first.mean_mle, 3)} ` +
        `(biased low, (N − 1)/N σ² = ${fmt(first.expected_mle, 3)}); with N = ${last.N} it averages ` +
        `${fmt(last.mean_mle, 3)}, and its spread has shrunk from ${fmt(first.sd_mle, 3)} to ${fmt(last.sd_mle, 3)}.`;
      status.ok();
    } catch (e) {
      status.error(e);
    }
  }, 80);
  load();
}
