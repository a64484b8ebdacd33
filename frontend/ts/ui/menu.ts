// The tool menu at narrow widths: a button folds the site navigation open and shut.
// (Wide screens show the links and hide the button, in main.css.)
export function initMenu(button: HTMLButtonElement, nav: HTMLElement): void {
  const set = (open: boolean) => {
    nav.classList.toggle("open", open);
    button.setAttribute("aria-expanded", String(open));
  };
  set(false);
  button.addEventListener("click", () => set(!nav.classList.contains("open")));
  nav.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nav.classList.contains("open")) {
      set(false);
      button.focus();
    }
  });
}

/** Mark the header link of the section the reader is in (aria-current="page"). */
export function markCurrentLink(nav: HTMLElement, path: string = location.pathname): void {
  for (const link of nav.querySelectorAll<HTMLAnchorElement>("a[href]")) {
    const href = link.getAttribute("href") ?? "";
    if (href !== "/" && path.startsWith(href)) link.setAttribute("aria-current", "page");
  }
}
