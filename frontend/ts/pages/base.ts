// Loaded by every page (frontend/base.html): styles, KaTeX math, live indicator, the theme
// toggle, the narrow-screen menu and the keyboard shortcuts overlay.
import "../styles/main.css";
import { renderMath } from "../panels/math";
import { startLiveIndicator } from "../panels/liveIndicator";
import { initMenu, markCurrentLink } from "../ui/menu";
import { initShortcuts } from "../ui/shortcuts";
import { initThemeToggle } from "../ui/theme";

function init(): void {
  renderMath(document);
  const indicator = document.getElementById("live-indicator");
  if (indicator) startLiveIndicator(indicator);
  const nav = document.getElementById("site-nav");
  const menuButton = document.getElementById("menu-button");
  if (nav) markCurrentLink(nav);
  if (nav && menuButton instanceof HTMLButtonElement) initMenu(menuButton, nav);
  const themeButton = document.getElementById("theme-toggle");
  if (themeButton instanceof HTMLButtonElement) initThemeToggle(themeButton);
  initShortcuts(document);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
