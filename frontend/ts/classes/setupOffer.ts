// "Send to class": an instructor pushed a setup (a classroom link) to this playground. Ask the
// student before replacing their network; accepting opens the classroom link.
import { h } from "../panels/lesson_ui";

export interface ClassSetup {
  type: "class_setup";
  title: string;
  url: string;
  hide: string[];
  class: string;
  from: string;
}

export function offerClassSetup(msg: ClassSetup): void {
  document.getElementById("class-setup-offer")?.remove();
  const accept = h("button", { type: "button", class: "primary" }, "Replace my network");
  const decline = h("button", { type: "button" }, "Keep mine");
  const hidden = msg.hide.length ? ` Hidden controls: ${msg.hide.join(", ")}.` : "";
  const box = h(
    "div",
    { id: "class-setup-offer", class: "alert class-setup-offer", role: "alertdialog" },
    h("p", {}, `${msg.from} sent “${msg.title}” to ${msg.class}.${hidden}`),
    h("p", {}, "Open it? Your current network will be replaced (save it first if you want it)."),
    accept,
    decline,
  );
  box.setAttribute("aria-label", "Setup from your instructor");
  accept.addEventListener("click", () => window.location.assign(msg.url));
  decline.addEventListener("click", () => box.remove());
  document.querySelector("main")?.prepend(box);
  accept.focus();
}
