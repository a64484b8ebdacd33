// Fully-connected lesson: a C x H x W volume flattened into one vector (row-major, channel
// first, as the engine's Flatten does). Focus or hover a cell to see where it lands.
import * as d3 from "d3";
import { flattenIndex } from "./lesson_math";
import { fitWidth, h, pressable, select } from "./lesson_ui";

export function mountFlattenDiagram(host: HTMLElement): void {
  let C = 2;
  let H = 3;
  let W = 3;
  const box = h("div");
  const info = h("p", { class: "sum-line", "data-testid": "flatten-info", "aria-live": "polite" });
  host.append(
    h(
      "div",
      { class: "panel-controls" },
      select(
        "channels C",
        [
          ["1", "1"],
          ["2", "2"],
          ["3", "3"],
        ],
        String(C),
        (v) => {
          C = Number(v);
          draw();
        },
      ),
      select(
        "height H",
        [
          ["2", "2"],
          ["3", "3"],
          ["4", "4"],
        ],
        String(H),
        (v) => {
          H = Number(v);
          draw();
        },
      ),
      select(
        "width W",
        [
          ["2", "2"],
          ["3", "3"],
          ["4", "4"],
        ],
        String(W),
        (v) => {
          W = Number(v);
          draw();
        },
      ),
    ),
    box,
    info,
  );
  function draw() {
    box.replaceChildren();
    // Drawn at the panel's width and never scaled, so the 11 px numbers stay 11 px: on a
    // narrow screen the channels and the flattened vector wrap onto more rows instead.
    const width = fitWidth(box, 660);
    const cell = 26;
    const n = C * H * W;
    const vecCell = 26;
    const chanW = W * cell + 24;
    const perRow = Math.max(1, Math.floor((width - 20 + 24) / chanW));
    const chanRows = Math.ceil(C / perRow);
    const chanH = H * cell + 30;
    const perVecRow = Math.max(1, Math.floor((width - 20) / vecCell));
    const vecRows = Math.ceil(n / perVecRow);
    const vy = chanRows * chanH + 40;
    const height = vy + vecRows * (22 + 8) + 36;
    const svg = d3
      .select(box)
      .append("svg")
      .attr("viewBox", `0 0 ${width} ${height}`)
      .attr("width", width)
      .attr("height", height)
      .attr("role", "img")
      .attr("aria-label", `a ${C} by ${H} by ${W} volume and its flattened vector of ${n} numbers`);
    const colors = d3.schemePastel1;
    const links = svg.append("g");
    const cells: { c: number; y: number; x: number; k: number }[] = [];
    for (let c = 0; c < C; c++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) cells.push({ c, y, x, k: flattenIndex(c, y, x, H, W) });
    const chanX = (c: number) => 10 + (c % perRow) * chanW;
    const chanY = (c: number) => Math.floor(c / perRow) * chanH;
    const pos = (d: { c: number; y: number; x: number }) => [
      chanX(d.c) + d.x * cell,
      chanY(d.c) + 24 + d.y * cell,
    ];
    /** Where element k of the flattened vector is drawn (its row wraps at the panel's width). */
    const vec = (k: number) => [
      10 + (k % perVecRow) * vecCell,
      vy + Math.floor(k / perVecRow) * (22 + 8),
    ];
    for (let c = 0; c < C; c++)
      svg
        .append("text")
        .attr("x", chanX(c))
        .attr("y", chanY(c) + 16)
        .attr("font-size", 12)
        .text(`channel ${c}`);
    svg
      .append("text")
      .attr("x", 10)
      .attr("y", vy - 8)
      .attr("font-size", 12)
      .text(`flattened vector, length C·H·W = ${n}`);
    const show = (d: { c: number; y: number; x: number; k: number } | null) => {
      links.selectAll("*").remove();
      svg.selectAll<SVGRectElement, unknown>("rect.sel").attr("stroke-width", 0.5);
      if (!d) return;
      const [px, py] = pos(d);
      links
        .append("line")
        .attr("x1", px + cell / 2)
        .attr("y1", py + cell)
        .attr("x2", vec(d.k)[0] + vecCell / 2)
        .attr("y2", vec(d.k)[1])
        .attr("stroke", "#c47f00")
        .attr("stroke-width", 2);
      svg
        .selectAll<SVGRectElement, { k: number }>(`rect.sel`)
        .filter((e) => e.k === d.k)
        .attr("stroke-width", 3);
      info.textContent = `cell (channel ${d.c}, row ${d.y}, column ${d.x}) → index ${d.c}·${H}·${W} + ${d.y}·${W} + ${d.x} = ${d.k}`;
    };
    const g = svg
      .selectAll("g.vol")
      .data(cells)
      .join("g")
      .attr("class", "vol")
      .on("mouseenter focus", (_e, d) => show(d));
    g.append("rect")
      .attr("class", "sel")
      .attr("x", (d) => pos(d)[0])
      .attr("y", (d) => pos(d)[1])
      .attr("width", cell)
      .attr("height", cell)
      .attr("fill", (d) => colors[d.c % 9])
      .attr("stroke", "#333")
      .attr("stroke-width", 0.5);
    g.append("text")
      .attr("x", (d) => pos(d)[0] + cell / 2)
      .attr("y", (d) => pos(d)[1] + cell / 2)
      .attr("dy", "0.35em")
      .attr("text-anchor", "middle")
      .attr("font-size", 11)
      .text((d) => d.k);
    g.each(function (d) {
      pressable(this as SVGGElement, `channel ${d.c} row ${d.y} column ${d.x}, index`);
    });
    const v = svg.selectAll("g.vec").data(cells).join("g").attr("class", "vec");
    v.append("rect")
      .attr("class", "sel")
      .attr("x", (d) => vec(d.k)[0])
      .attr("y", (d) => vec(d.k)[1])
      .attr("width", vecCell)
      .attr("height", 22)
      .attr("fill", (d) => colors[d.c % 9])
      .attr("stroke", "#333")
      .attr("stroke-width", 0.5);
    v.append("text")
      .attr("x", (d) => vec(d.k)[0] + vecCell / 2)
      .attr("y", (d) => vec(d.k)[1] + 11)
      .attr("dy", "0.35em")
      .attr("text-anchor", "middle")
      .attr("font-size", 11)
      .text((d) => d.k);
    svg
      .append("text")
      .attr("x", 10)
      .attr("y", height - 12)
      .attr("font-size", 12)
      .text(`→ a dense layer of n_out units: n_out × ${n} weights`);
    show(cells[Math.min(cells.length - 1, W + 1)]);
  }
  draw();
}
