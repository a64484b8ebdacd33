// Keyboard shortcuts and the help overlay that lists them, opened with `?`.
//
// Pages add their own with addShortcut(keys, what, run?) (run is optional: a page that
// handles the key itself only lists it). Keys typed into a form control never trigger one.
// The overlay is a native modal <dialog>: it takes focus, Escape closes it and gives focus
// back to where it was, so it is never a keyboard trap.

export interface Shortcut {
  keys: string;
  what: string;
  run?: (event: KeyboardEvent) => void;
}

const shortcuts: Shortcut[] = [
  { keys: "?", what: "Show this list of shortcuts" },
  { keys: "Esc", what: "Close this list, or the menu" },
  { keys: "Tab", what: "Move to the next link or control (Shift+Tab: back)" },
];

export function addShortcut(keys: string, what: string, run?: (e: KeyboardEvent) => void): void {
  shortcuts.push({ keys, what, run });
}

export function listShortcuts(): readonly Shortcut[] {
  return shortcuts;
}

/** True when a key press belongs to a form control (typing), not to the page. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
}

function buildDialog(doc: Document): HTMLDialogElement {
  const dialog = doc.createElement("dialog");
  dialog.className = "shortcuts";
  dialog.id = "shortcuts-help";
  dialog.setAttribute("aria-labelledby", "shortcuts-title");
  const title = doc.createElement("h2");
  title.id = "shortcuts-title";
  title.textContent = "Keyboard shortcuts";
  const list = doc.createElement("dl");
  for (const s of shortcuts) {
    const dt = doc.createElement("dt");
    const kbd = doc.createElement("kbd");
    kbd.textContent = s.keys;
    dt.append(kbd);
    const dd = doc.createElement("dd");
    dd.textContent = s.what;
    list.append(dt, dd);
  }
  const form = doc.createElement("form");
  form.method = "dialog";
  const close = doc.createElement("button");
  close.type = "submit";
  close.className = "secondary";
  close.textContent = "Close";
  form.append(close);
  dialog.append(title, list, form);
  return dialog;
}

export function openHelp(doc: Document = document): HTMLDialogElement {
  doc.getElementById("shortcuts-help")?.remove();
  const dialog = buildDialog(doc);
  doc.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.showModal();
  return dialog;
}

export function initShortcuts(doc: Document = document): void {
  doc.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    if (event.key === "?") {
      event.preventDefault();
      if (!doc.getElementById("shortcuts-help")) openHelp(doc);
      return;
    }
    const match = shortcuts.find((s) => s.run && s.keys === event.key);
    if (match?.run) match.run(event);
  });
  for (const button of doc.querySelectorAll<HTMLButtonElement>("[data-open-shortcuts]")) {
    button.hidden = false;
    button.addEventListener("click", () => openHelp(doc));
  }
}
