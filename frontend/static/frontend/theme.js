// Runs in <head> before the first paint, as a classic blocking script (the content security
// policy allows no inline script). It applies the theme the reader chose with the header
// toggle (localStorage "nnweb-theme": "light" or "dark"); with no choice stored the CSS follows
// prefers-color-scheme. It also marks <html class="js"> so the CSS may fold the menu.
(function () {
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var theme = window.localStorage.getItem("nnweb-theme");
    if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
  } catch {
    // Storage refused (private mode, blocked cookies): follow the system theme.
  }
})();
