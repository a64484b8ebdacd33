// nnweb's one chart module. Every panel draws its line charts, heatmaps and number grids with
// it, so all charts share the same rules: text at least MIN_FONT_PX (12 px) as rendered, axis
// labels, a text alternative (role="img" + <title>/<desc>, optionally a data table) and colour
// maps that colour-blind readers can tell apart. See line.ts and heatmap.ts for the API.
export { lineChart, type LineSpec, type Series } from "./line";
export { heatmap, type HeatmapSpec } from "./heatmap";
export {
  colorScale,
  pickMap,
  textOn,
  luminance,
  SERIES_COLORS,
  SERIES_DASHES,
  type MapName,
} from "./colors";
export { MIN_FONT_PX, fmt, summarizeSeries, summarizeMatrix, dataTable } from "./text";
