// The header's theme toggle. static/frontend/theme.js applies a stored choice before the first
// paint; this module keeps the button in step and stores a new choice (anonymous readers too).
export type Theme = "light" | "dark";
export const THEME_KEY = "nnweb-theme";

export function systemTheme(win: Window = window): Theme {
  return win.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function currentTheme(root: HTMLElement = document.documentElement): Theme {
  const chosen = root.dataset.theme;
  return chosen === "dark" || chosen === "light" ? chosen : systemTheme();
}

export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = theme;
  try {
    window.localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Storage refused: the choice lasts for this page only.
  }
  document.dispatchEvent(new CustomEvent("nnweb:theme", { detail: theme }));
}

export function initThemeToggle(button: HTMLButtonElement): void {
  const sync = () => button.setAttribute("aria-pressed", String(currentTheme() === "dark"));
  sync();
  button.hidden = false;
  button.addEventListener("click", () => {
    applyTheme(currentTheme() === "dark" ? "light" : "dark");
    sync();
  });
  window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", sync);
}
