// Text alternatives for charts: a one-paragraph summary a screen reader reads as the chart's
// description, and an optional data table with the same numbers.

/** Smallest text in any chart, in CSS px at its rendered size. */
export const MIN_FONT_PX = 12;

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

export interface SummarySeries {
  label: string;
  points: [number, number][];
}

/** "training loss: 40 points over epoch 1–40, from 0.69 to 0.12, lowest 0.11 at epoch 38." */
export function summarizeSeries(s: SummarySeries, xLabel: string): string {
  const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (!pts.length) return `${s.label}: no data yet.`;
  const [x0, y0] = pts[0];
  const [x1, y1] = pts[pts.length - 1];
  let [xm, ym] = pts[0];
  let [xM, yM] = pts[0];
  for (const [x, y] of pts) {
    if (y < ym) [xm, ym] = [x, y];
    if (y > yM) [xM, yM] = [x, y];
  }
  const n = pts.length === 1 ? "1 point" : `${pts.length} points`;
  return (
    `${s.label}: ${n} over ${xLabel} ${fmt(x0)}–${fmt(x1)}, from ${fmt(y0)} to ${fmt(y1)}, ` +
    `lowest ${fmt(ym)} at ${xLabel} ${fmt(xm)}, highest ${fmt(yM)} at ${xLabel} ${fmt(xM)}.`
  );
}

export function summarizeMatrix(title: string, m: number[][]): string {
  const flat = m.flat().filter(Number.isFinite);
  if (!flat.length) return `${title}: no data yet.`;
  const rows = m.length;
  const cols = Math.max(...m.map((r) => r.length));
  return (
    `${title}: ${rows} × ${cols} values from ${fmt(Math.min(...flat))} ` +
    `to ${fmt(Math.max(...flat))}.`
  );
}

/** A <table> of columns (first the x values) for a <details> under the chart. */
export function dataTable(
  doc: Document,
  caption: string,
  head: string[],
  rows: (number | string)[][],
): HTMLTableElement {
  const table = doc.createElement("table");
  table.className = "numbers chart-data";
  const cap = doc.createElement("caption");
  cap.textContent = caption;
  const thead = doc.createElement("thead");
  const tr = doc.createElement("tr");
  for (const h of head) {
    const th = doc.createElement("th");
    th.scope = "col";
    th.textContent = h;
    tr.append(th);
  }
  thead.append(tr);
  const tbody = doc.createElement("tbody");
  for (const row of rows) {
    const r = doc.createElement("tr");
    for (const v of row) {
      const td = doc.createElement("td");
      td.textContent = typeof v === "number" ? fmt(v) : v;
      r.append(td);
    }
    tbody.append(r);
  }
  table.append(cap, thead, tbody);
  return table;
}
