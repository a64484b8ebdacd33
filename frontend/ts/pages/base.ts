// Loaded by every page (frontend/base.html): styles, KaTeX math, live indicator.
import "../styles/main.css";
import { renderMath } from "../panels/math";
import { startLiveIndicator } from "../panels/liveIndicator";

function init(): void {
  renderMath(document);
  const indicator = document.getElementById("live-indicator");
  if (indicator) startLiveIndicator(indicator);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
