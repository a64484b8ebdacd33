"""The lessons' questions, kept on the server so no accepted answer is in a page's source.

Each lesson's questions are in ``questions/<lesson slug>.toml``, one ``[[question]]`` table
each, in the order they appear on the page:

    id        unique within the lesson (progress rows are keyed by it)
    panel     the data-panel the question sits next to (the panel that answers it)
    kind      "value" (a number or word typed in), "choice" (one right option) or
              "prediction" (a qualitative guess made before pressing the panel: recorded,
              never graded)
    prompt    HTML, shown on the page
    choices   [[value, label HTML], ...] for "choice" and "prediction"
    accepted  accepted answers ("value": numbers within ``tolerance`` relative to
              max(1, |answer|), or words compared without case and spaces; "choice": values)
    reveal    HTML with <span class="math">TeX</span>; sent only by the check/reveal API

The page renders prompt and choices (``{% lesson_question "id" %}``); ``grade`` and
``reveal_segments`` serve /api/lessons/check/ and /api/lessons/reveal/.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from frontend.course import SECTIONS_BY_SLUG

QUESTIONS_DIR = Path(__file__).with_name("questions")
KINDS = ("value", "choice", "prediction")


@dataclass(frozen=True)
class Question:
    lesson: str
    id: str
    panel: str
    kind: str
    prompt: str
    reveal: str
    choices: tuple[tuple[str, str], ...] = ()
    accepted: tuple[str, ...] = ()
    tolerance: float = 1e-2

    @property
    def graded(self) -> bool:
        return self.kind != "prediction"


def _number(text: str) -> float | None:
    t = text.strip().replace("−", "-").replace(",", ".").replace(" ", "")
    try:
        v = float(t)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _word(text: str) -> str:
    return re.sub(r"\s+", "", text.strip().lower())


def grade(q: Question, answer: str) -> bool | None:
    """True/False for a graded question, None for a prediction. Raises ValueError naming
    ``answer`` when it is empty or not one of a choice question's options."""
    if not isinstance(answer, str) or not answer.strip():
        raise ValueError("answer: give an answer first")
    if q.kind in ("choice", "prediction"):
        values = [v for v, _label in q.choices]
        if answer not in values:
            raise ValueError(f"answer: {answer!r} is not one of the options ({', '.join(values)})")
        return None if q.kind == "prediction" else answer in q.accepted
    given = _number(answer)
    for a in q.accepted:
        want = _number(a)
        if want is not None and given is not None:
            if abs(given - want) <= q.tolerance * max(1.0, abs(want)):
                return True
        elif _word(a) == _word(answer):
            return True
    return False


class _Segments(HTMLParser):
    """Reveal HTML -> [["text", ...], ["math", TeX], ...] (the page renders text with
    textContent and math with KaTeX, so no HTML from here is ever parsed by the browser)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[list[str]] = []
        self._math = 0

    def handle_starttag(self, tag, attrs):
        if tag == "span" and ("class", "math") in attrs:
            self._math += 1
            self.out.append(["math", ""])

    def handle_endtag(self, tag):
        if tag == "span" and self._math:
            self._math -= 1
            self.out.append(["text", ""])

    def handle_data(self, data):
        kind = "math" if self._math else "text"
        if self.out and self.out[-1][0] == kind:
            self.out[-1][1] += data
        else:
            self.out.append([kind, data])


def reveal_segments(q: Question) -> list[list[str]]:
    p = _Segments()
    p.feed(q.reveal)
    p.close()
    segs = [[k, re.sub(r"\s+", " ", v)] for k, v in p.out if v]
    return [s for s in segs if s[1].strip() or s[0] == "text"]


def _load(lesson: str, path: Path) -> dict[str, Question]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, Question] = {}
    for i, raw in enumerate(data.get("question", [])):
        where = f"{path.name} question {i + 1}"
        kind = raw.get("kind", "value")
        if kind not in KINDS:
            raise ValueError(f"{where}: kind {kind!r} is not one of {KINDS}")
        q = Question(
            lesson=lesson,
            id=raw["id"],
            panel=raw.get("panel", ""),
            kind=kind,
            prompt=raw["prompt"].strip(),
            reveal=raw["reveal"].strip(),
            choices=tuple((str(v), str(lab)) for v, lab in raw.get("choices", [])),
            accepted=tuple(str(a) for a in raw.get("accepted", [])),
            tolerance=float(raw.get("tolerance", 1e-2)),
        )
        if q.id in out:
            raise ValueError(f"{where}: id {q.id!r} is used twice")
        if kind != "value" and not q.choices:
            raise ValueError(f"{where}: a {kind} question needs choices")
        if q.graded and not q.accepted:
            raise ValueError(f"{where}: a graded question needs accepted answers")
        out[q.id] = q
    return out


@functools.cache
def all_questions() -> dict[str, dict[str, Question]]:
    """lesson slug -> question id -> Question, for every lesson with a questions file."""
    out = {}
    for path in sorted(QUESTIONS_DIR.glob("*.toml")):
        if path.stem not in SECTIONS_BY_SLUG:
            raise ValueError(f"{path.name}: {path.stem!r} is not a lesson of the course")
        out[path.stem] = _load(path.stem, path)
    return out


def get_question(lesson: str, question: str) -> Question:
    """The question, or ValueError naming the field that does not match."""
    qs = all_questions()
    if lesson not in qs:
        raise ValueError(f"lesson: {lesson!r} has no questions")
    if question not in qs[lesson]:
        raise ValueError(f"question: {lesson!r} has no question {question!r}")
    return qs[lesson][question]
