"""Reads of the classes app, each one narrowed to what the asking user may see.

- A class is visible to its instructors and its students; anyone else gets a 404.
- Student work (submissions, lesson answers, live sessions) is visible to the student and to
  the instructors of a class the student is in, and to nobody else.

Lesson scores: the share of the lesson's questions the student answered right at the *first*
attempt (``LessonAnswer.first_attempt_correct``), out of all the lesson's graded questions
(``nnweb.lessons.questions``: predictions are not graded); the lesson is complete once the
student marks it complete.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.html import strip_tags
from rest_framework.exceptions import NotFound

from frontend.course import SECTIONS_BY_SLUG
from nnweb.datasets.models import Dataset
from nnweb.lessons.models import LessonAnswer, LessonCompletion
from nnweb.lessons.questions import Question, all_questions
from nnweb.playground.models import ClassroomLink
from nnweb.training.models import TrainingRun

from . import live
from . import playground_api as playground
from .models import Assignment, Class, Submission

LESSON_SCORE_RULE = (
    "correct first attempts / graded questions of the lesson (predictions are not graded)"
)
WRONG_ANSWERS_SHOWN = 3


def classes_for(user) -> QuerySet[Class]:
    """Classes ``user`` teaches or is enrolled in."""
    if user is None or not user.is_authenticated:
        return Class.objects.none()
    return Class.objects.filter(Q(instructors=user) | Q(students=user)).distinct()


def taught_by(user) -> QuerySet[Class]:
    if user is None or not user.is_authenticated:
        return Class.objects.none()
    return Class.objects.filter(instructors=user)


def class_for(user, pk) -> Class:
    """The class ``pk`` if ``user`` teaches or attends it, else a 404."""
    klass = classes_for(user).filter(pk=pk).first()
    if klass is None:
        raise NotFound("No such class (or you are not in it).")
    return klass


def class_by_join_code(code: str) -> Class | None:
    """The class whose join code is ``code`` (case and spaces ignored), or None."""
    return Class.objects.filter(join_code="".join(str(code or "").split()).upper()).first()


def assignment_for(user, class_pk, pk) -> Assignment:
    klass = class_for(user, class_pk)
    a = klass.assignments.filter(pk=pk).first()
    if a is None:
        raise NotFound("No such assignment in this class.")
    return a


def is_class_instructor(user, klass: Class) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return klass.instructors.filter(pk=user.pk).exists()


def is_class_owner(user, klass: Class) -> bool:
    """The instructor who created the class: only they delete it or remove co-instructors."""
    if user is None or not user.is_authenticated:
        return False
    return klass.created_by_id == user.pk


def is_class_student(user, klass: Class) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return klass.students.filter(pk=user.pk).exists()


def can_see_work_of(viewer, student) -> bool:
    """The student themselves, or an instructor of a class the student attends."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.pk == student.pk:
        return True
    return Class.objects.filter(instructors=viewer, students=student).exists()


def student_of(klass: Class, student_id):
    s = klass.students.filter(pk=student_id).first()
    if s is None:
        raise NotFound("No such student in this class.")
    return s


@dataclass
class Cell:
    """One student's result on one assignment."""

    status: str  # "passed" | "complete" | "attempted" | "not_started"
    score: float | None
    late: bool = False
    detail: str = ""

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "score": self.score,
            "late": self.late,
            "detail": self.detail,
        }


QUESTION_LABEL_CHARS = 70


def lesson_questions(slug: str) -> list[Question]:
    """The lesson's graded questions in page order (its predictions are recorded, never
    graded, so they count in no score)."""
    return [q for q in all_questions().get(slug, {}).values() if q.graded]


def question_label(q: Question) -> str:
    """A question's prompt as one short line of plain text (for tables and CSV headers): tags
    dropped, TeX kept as typed, cut at QUESTION_LABEL_CHARS."""
    text = " ".join(html.unescape(strip_tags(q.prompt)).split())
    if len(text) <= QUESTION_LABEL_CHARS:
        return text
    return text[: QUESTION_LABEL_CHARS - 1].rstrip() + "…"


def _lesson_cells(assignment: Assignment, students: list) -> dict[int, Cell]:
    graded = {q.id for q in lesson_questions(assignment.lesson)}
    ids = [s.pk for s in students]
    answers = LessonAnswer.objects.filter(
        lesson=assignment.lesson, user_id__in=ids, question__in=graded, correct__isnull=False
    )
    first_right: Counter = Counter()
    answered: Counter = Counter()
    for a in answers:
        answered[a.user_id] += 1
        if a.first_attempt_correct:
            first_right[a.user_id] += 1
    done = dict(
        LessonCompletion.objects.filter(lesson=assignment.lesson, user_id__in=ids).values_list(
            "user_id", "completed_at"
        )
    )
    cells = {}
    for sid in ids:
        total = len(graded)
        score = first_right[sid] / total if total and answered[sid] else None
        if sid in done:
            status = "complete"
            late = done[sid] > assignment.due
        else:
            status = "attempted" if answered[sid] else "not_started"
            late = False
        detail = f"{first_right[sid]}/{total} right at the first attempt" if answered[sid] else ""
        cells[sid] = Cell(status, score, late, detail)
    return cells


def _submission_cells(assignment: Assignment, students: list) -> dict[int, Cell]:
    subs = {
        s.student_id: s
        for s in Submission.objects.filter(assignment=assignment, student__in=students)
    }
    cells = {}
    for st in students:
        sub = subs.get(st.pk)
        if sub is None:
            cells[st.pk] = Cell("not_started", None)
            continue
        passed = sub.status == Submission.Status.PASSED
        reasons = (sub.detail or {}).get("reasons") or []
        cells[st.pk] = Cell(
            "passed" if passed else "attempted",
            sub.score,
            late=bool(passed and sub.passed_at and sub.passed_at > assignment.due),
            detail="" if passed else "; ".join(reasons[:2]),
        )
    return cells


def cells_for(assignment: Assignment, students: list) -> dict[int, Cell]:
    if assignment.kind == Assignment.Kind.LESSON:
        return _lesson_cells(assignment, students)
    return _submission_cells(assignment, students)


def gradebook(klass: Class) -> dict:
    """Roster x assignments: {"assignments": [...], "rows": [{"student", "cells": [...]}]}."""
    students = list(klass.students.order_by("username"))
    assignments = list(klass.assignments.all())
    columns = [cells_for(a, students) for a in assignments]
    rows = []
    for st in students:
        cells = [col[st.pk] for col in columns]
        scores = [c.score or 0.0 for c in cells]
        rows.append(
            {
                "student": {"id": st.pk, "username": st.username},
                "cells": cells,
                "total": sum(scores) / len(scores) if scores else None,
            }
        )
    return {"assignments": assignments, "rows": rows}


def my_results(klass: Class, student) -> list[tuple[Assignment, Cell]]:
    """A student's own row: every assignment of the class with their result."""
    return [(a, cells_for(a, [student])[student.pk]) for a in klass.assignments.all()]


def question_stats(assignment: Assignment) -> list[dict]:
    """Per question of a lesson assignment, over the class's students: how many answered, the
    share right at the first attempt and now, and the most common wrong (latest) answers."""
    if assignment.kind != Assignment.Kind.LESSON:
        return []
    ids = list(assignment.klass.students.values_list("pk", flat=True))
    rows = LessonAnswer.objects.filter(
        lesson=assignment.lesson, user_id__in=ids, correct__isnull=False
    )
    by_q: dict[str, list[LessonAnswer]] = {}
    for a in rows:
        by_q.setdefault(a.question, []).append(a)
    out = []
    for q in lesson_questions(assignment.lesson):
        answers = by_q.get(q.id, [])
        n = len(answers)
        wrong = Counter(_shown(a.answer) for a in answers if not a.correct)
        out.append(
            {
                "question": q.id,
                "text": question_label(q),
                "answered": n,
                "first_correct": sum(1 for a in answers if a.first_attempt_correct) / n
                if n
                else None,
                "correct": sum(1 for a in answers if a.correct) / n if n else None,
                "wrong_answers": [
                    {"answer": ans, "count": c} for ans, c in wrong.most_common(WRONG_ANSWERS_SHOWN)
                ],
            }
        )
    return out


def _shown(answer) -> str:
    if isinstance(answer, dict) and "value" in answer:
        answer = answer["value"]
    return str(answer)[:60]


def lesson_title(slug: str) -> str:
    s = SECTIONS_BY_SLUG.get(slug)
    return s.title if s else slug


def live_snapshot(klass: Class, student) -> dict:
    """A read-only view of ``student``'s live playground session for an instructor of
    ``klass`` (the caller checked that): the latest tile and, while the session is open, its
    settings, network and metrics, read through the playground's public session functions."""
    t = live.latest_tile(student.pk)
    out = {"student": {"id": student.pk, "username": student.get_username()}, "tile": t}
    if not t:
        return {**out, "open": False, "message": "No playground opened yet."}
    try:
        session = playground.get_session(t["session"], student)
    except playground.PlaygroundError as exc:
        return {**out, "open": False, "message": exc.message}
    with session.lock:
        out.update(
            open=True,
            config=session.config.to_dict(),
            network=session.network_view(),
            metrics={k: v for k, v in session.metrics_view("snapshot").items() if k != "history"},
            history=session.history[-200:],
            tile=live.tile(student, session),
        )
    return out


def assignment_datasets(user) -> QuerySet[Dataset]:
    """``user``'s own classification data sets that students may see: what a training
    assignment may name."""
    return Dataset.objects.filter(owner=user, task="classification").exclude(visibility="private")


def assignment_runs(user, assignment: Assignment) -> QuerySet[TrainingRun] | list:
    """``user``'s latest runs (at most 20) on a training assignment's data set."""
    if assignment.kind != Assignment.Kind.TRAINING:
        return []
    qs = TrainingRun.objects.filter(owner=user, dataset=assignment.dataset)
    return qs.order_by("-created")[:20]


def classroom_links_of(klass: Class) -> QuerySet[ClassroomLink]:
    """The playground classroom links of ``klass``'s instructors (the live view sends them)."""
    return ClassroomLink.objects.filter(owner__in=klass.instructors.all())
