// "Predict, then reveal" questions at the end of each lesson. Markup (server-rendered):
//   <div class="question" data-answer="26|26x26">          accepted answers, | separated
//     <p>…</p> <input type="text"> or radio inputs (value = accepted answer)
//     <button class="check">Check</button> <p class="feedback"></p>
//     <details><summary>Reveal</summary>…</details>
//   </div>
import { checkAnswer } from "./lesson_math";

export function mountQuiz(q: HTMLElement): void {
  const accepted = (q.dataset.answer ?? "").split("|");
  const tol = q.dataset.tol ? Number(q.dataset.tol) : 1e-2;
  const feedback = q.querySelector<HTMLElement>(".feedback");
  const button = q.querySelector<HTMLButtonElement>("button.check");
  const text = q.querySelector<HTMLInputElement>("input[type=text]");
  const check = () => {
    const given = text
      ? text.value
      : (q.querySelector<HTMLInputElement>("input[type=radio]:checked")?.value ?? "");
    const right = checkAnswer(given, accepted, tol);
    if (feedback) {
      feedback.textContent =
        given.trim() === ""
          ? "Give an answer first."
          : right
            ? "Right."
            : "Not quite — try again, or reveal the answer.";
      feedback.classList.toggle("right", right);
      feedback.classList.toggle("wrong", !right && given.trim() !== "");
    }
    q.dataset.result = right ? "right" : "wrong";
  };
  button?.addEventListener("click", check);
  text?.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      check();
    }
  });
}
