// Questions beside the lesson panels, checked by the server (no accepted answer is in the
// page). Markup (frontend/lessons/_question.html):
//   <div class="question" data-question="q1" data-kind="value|choice|prediction">
//     <p>prompt</p> <input type="text"> or radio inputs
//     <button class="check"> <button class="reveal-button"> <p class="feedback"> <div class="reveal" hidden>
//   </div>
// POST /api/lessons/check/ grades (and saves for a signed-in student); /api/lessons/reveal/
// sends the explanation on request. A prediction is recorded first; its explanation shows
// only once the student has then pressed the panel it is tied to (data-for-panel): predict,
// then press and see. Questions a signed-in student answered before come filled in
// (data-saved = right | wrong | recorded, rendered by the server).
import { api, unwrap, type Schemas } from "../api/client";
import { h } from "./lesson_ui";
import { renderMathElement } from "./math";

/** [kind, text] of an explanation: kind "text" (plain text) or "math" (TeX). */
type Segment = Schemas["AnswerReveal"]["reveal"][number];

const revealOf = async (lesson: string, question: string) =>
  unwrap(await api.POST("/api/lessons/reveal/", { body: { lesson, question } })).reveal;

export function lessonSlug(): string {
  return document.querySelector("article.lesson")?.id.replace(/^lesson-/, "") ?? "";
}

/** Text as text nodes, TeX through KaTeX: no HTML from the server is parsed. */
export function renderSegments(into: HTMLElement, segments: Segment[]): void {
  const p = h("p");
  for (const [kind, value] of segments) {
    if (kind === "math") {
      const span = h("span", { class: "math", text: value });
      renderMathElement(span);
      p.append(span);
    } else {
      p.append(value);
    }
  }
  into.replaceChildren(p);
  into.hidden = false;
}

/** Controls that count as "pressing" a panel: a button, a form control, a focusable cell. */
const PRESSABLE = "button, input, select, textarea, [role=button], [tabindex]";

/** Call `then` once, at the student's first press of the panel `name` after now (a click on
 * one of its controls, or a changed value). Without such a panel it is called at once. */
export function afterPanelPressed(name: string | undefined, then: () => void): void {
  const panel = name ? document.querySelector<HTMLElement>(`[data-panel="${name}"]`) : null;
  if (!panel) {
    then();
    return;
  }
  const stop = new AbortController();
  const pressed = (e: Event) => {
    if (e.type === "click" && !(e.target as Element | null)?.closest?.(PRESSABLE)) return;
    stop.abort();
    then();
  };
  for (const type of ["click", "change"])
    panel.addEventListener(type, pressed, { capture: true, signal: stop.signal });
}

export function mountQuiz(q: HTMLElement): void {
  const lesson = lessonSlug();
  const question = q.dataset.question ?? "";
  const prediction = q.dataset.kind === "prediction";
  const feedback = q.querySelector<HTMLElement>(".feedback");
  const reveal = q.querySelector<HTMLElement>(".reveal");
  const text = q.querySelector<HTMLInputElement>("input[type=text]");
  const say = (msg: string, cls: "right" | "wrong" | "") => {
    if (!feedback) return;
    feedback.textContent = msg;
    feedback.classList.toggle("right", cls === "right");
    feedback.classList.toggle("wrong", cls === "wrong");
  };
  // A prediction's explanation waits for the tied panel; the latest recording wins.
  let waiting = 0;
  const revealAfterPress = (segments: Segment[] | null) => {
    const ticket = ++waiting;
    afterPanelPressed(q.dataset.forPanel, () => {
      if (ticket !== waiting || !reveal) return;
      const show = async () => {
        const segs = segments ?? (await revealOf(lesson, question));
        renderSegments(reveal, segs);
        say("You predicted, then pressed the panel: here is what happens.", "");
        q.dataset.revealed = "true";
      };
      show().catch((e: unknown) =>
        say(`Could not reveal: ${e instanceof Error ? e.message : String(e)}`, "wrong"),
      );
    });
  };
  if (q.dataset.saved) {
    q.dataset.result = q.dataset.saved;
    if (prediction) revealAfterPress(null);
  }
  const check = async () => {
    const given = text
      ? text.value
      : (q.querySelector<HTMLInputElement>("input[type=radio]:checked")?.value ?? "");
    if (given.trim() === "") {
      say("Give an answer first.", "");
      return;
    }
    try {
      const r = unwrap(
        await api.POST("/api/lessons/check/", { body: { lesson, question, answer: given } }),
      );
      if (prediction) {
        say("Prediction recorded. Now press the panel and see.", "");
        q.dataset.result = "recorded";
        if (reveal) reveal.hidden = true;
        revealAfterPress(r.reveal ?? null);
      } else {
        say(
          r.correct ? "Right." : "Not quite — try again, or reveal the answer.",
          r.correct ? "right" : "wrong",
        );
        q.dataset.result = r.correct ? "right" : "wrong";
      }
      if (!prediction && r.reveal && reveal) renderSegments(reveal, r.reveal);
    } catch (e) {
      say(`Could not check the answer: ${e instanceof Error ? e.message : String(e)}`, "wrong");
    }
  };
  q.querySelector<HTMLButtonElement>("button.check")?.addEventListener("click", () => void check());
  q.querySelector<HTMLButtonElement>("button.reveal-button")?.addEventListener(
    "click",
    async () => {
      try {
        const segments = await revealOf(lesson, question);
        if (reveal) renderSegments(reveal, segments);
        q.dataset.revealed = "true";
      } catch (e) {
        say(`Could not reveal: ${e instanceof Error ? e.message : String(e)}`, "wrong");
      }
    },
  );
  text?.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      void check();
    }
  });
}

/** "Mark this lesson complete" (shown to signed-in students): POST /api/lessons/complete/. */
export function mountCompleteButton(button: HTMLButtonElement): void {
  const status = button.parentElement?.querySelector<HTMLElement>(".complete-status");
  button.addEventListener("click", async () => {
    try {
      unwrap(
        await api.POST("/api/lessons/complete/", { body: { lesson: button.dataset.lesson ?? "" } }),
      );
      button.textContent = "Lesson complete";
      button.disabled = true;
      if (status) status.textContent = "Saved: it shows on the course page.";
    } catch (e) {
      if (status)
        status.textContent = `Could not save: ${e instanceof Error ? e.message : String(e)}`;
    }
  });
}
