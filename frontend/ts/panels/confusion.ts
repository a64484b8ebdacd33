// Confusion matrix (rows: true class, columns: predicted class) as a d3 heatmap with counts.
import * as d3 from "d3";

/** Row-normalised shares, 0 for empty rows. */
export function rowShares(matrix: number[][]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total ? v / total : 0));
  });
}

export function drawConfusion(root: HTMLElement, matrix: number[][], names: string[]): void {
  if (!matrix.length) return;
  const K = matrix.length;
  const cell = Math.max(18, Math.min(48, Math.floor(420 / K)));
  const left = 110;
  const top = 90;
  const size = cell * K;
  const shares = rowShares(matrix);
  const color = d3.scaleSequential(d3.interpolateBlues).domain([0, 1]);
  d3.select(root).select("svg.confusion").remove();
  const svg = d3
    .select(root)
    .append("svg")
    .attr("class", "confusion")
    .attr("viewBox", `0 0 ${left + size + 10} ${top + size + 10}`)
    .attr("role", "img")
    .attr("aria-label", "confusion matrix");
  const label = (k: number) => names[k] ?? String(k);
  const g = svg.append("g").attr("transform", `translate(${left},${top})`);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const c = g.append("g").attr("transform", `translate(${j * cell},${i * cell})`);
      c.append("rect")
        .attr("width", cell - 1)
        .attr("height", cell - 1)
        .attr("fill", color(shares[i][j]))
        .append("title")
        .text(`true ${label(i)}, predicted ${label(j)}: ${matrix[i][j]}`);
      if (cell >= 22) {
        c.append("text")
          .attr("x", cell / 2)
          .attr("y", cell / 2)
          .attr("dy", "0.35em")
          .attr("text-anchor", "middle")
          .attr("font-size", Math.min(12, cell / 2.5))
          .attr("fill", shares[i][j] > 0.5 ? "#fff" : "#222")
          .text(matrix[i][j]);
      }
    }
    g.append("text")
      .attr("x", -6)
      .attr("y", i * cell + cell / 2)
      .attr("dy", "0.35em")
      .attr("text-anchor", "end")
      .attr("font-size", 11)
      .text(label(i));
    g.append("text")
      .attr("transform", `translate(${i * cell + cell / 2},-6) rotate(-45)`)
      .attr("font-size", 11)
      .text(label(i));
  }
  svg
    .append("text")
    .attr("x", 4)
    .attr("y", top - 6)
    .attr("font-size", 11)
    .attr("fill", "#666")
    .text("true ↓ / predicted →");
}
