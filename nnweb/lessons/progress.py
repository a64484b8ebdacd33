"""Service API for student progress (the models are described in ``models.py``).

    record_answer(user, lesson, question, answer, correct) -> LessonAnswer
    mark_complete(user, lesson) -> LessonCompletion
    progress_for(user) -> dict[lesson slug, LessonProgress]   (every lesson, course order)

Views and other apps (the classroom grade book) call these rather than the ORM, so attempt
counting and first-attempt correctness are decided in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from frontend.course import COURSE, SECTIONS_BY_SLUG

from .models import LessonAnswer, LessonCompletion

_SLUG = re.compile(r"^[-a-z0-9_]{1,64}$")


def _check_lesson(lesson: str) -> None:
    if lesson not in SECTIONS_BY_SLUG:
        raise ValueError(
            f"lesson: {lesson!r} is not a lesson of the course "
            f"(one of {', '.join(s.slug for s in COURSE)})"
        )


def _check_question(question: str) -> None:
    if not isinstance(question, str) or not _SLUG.match(question):
        raise ValueError(
            f"question: {question!r} is not a question id (lowercase letters, digits, - and _)"
        )


def record_answer(
    user, lesson: str, question: str, answer: Any, correct: bool | None
) -> LessonAnswer:
    """Save ``user``'s answer to ``question`` of ``lesson``; ``correct=None`` = ungraded.

    The first call creates the row (attempts = 1, first_attempt_correct = correct); later
    calls add one attempt and replace the answer and its correctness.
    """
    _check_lesson(lesson)
    _check_question(question)
    if correct is not None and not isinstance(correct, bool):
        raise ValueError(f"correct: expected true, false or null, got {correct!r}")
    key = {"user": user, "lesson": lesson, "question": question}
    with transaction.atomic():
        row, created = LessonAnswer.objects.get_or_create(
            **key, defaults={"answer": answer, "correct": correct, "first_attempt_correct": correct}
        )
        if not created:
            # F() so two attempts arriving together both count.
            LessonAnswer.objects.filter(pk=row.pk).update(
                answer=answer,
                correct=correct,
                attempts=F("attempts") + 1,
                last_answered_at=timezone.now(),
            )
            row.refresh_from_db()
    return row


def mark_complete(user, lesson: str) -> LessonCompletion:
    """Mark ``lesson`` complete for ``user``; calling it again keeps the first time."""
    _check_lesson(lesson)
    row, _created = LessonCompletion.objects.get_or_create(user=user, lesson=lesson)
    return row


@dataclass
class LessonProgress:
    lesson: str
    title: str
    completed_at: datetime | None = None
    answers: dict[str, LessonAnswer] = field(default_factory=dict)

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def answered(self) -> int:
        return len(self.answers)

    @property
    def correct(self) -> int:
        """Questions whose latest answer is right (ungraded predictions not counted)."""
        return sum(1 for a in self.answers.values() if a.correct)

    def as_dict(self) -> dict:
        return {
            "lesson": self.lesson,
            "title": self.title,
            "completed": self.completed,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
            "answered": self.answered,
            "correct": self.correct,
            "answers": {
                q: {
                    "answer": a.answer,
                    "correct": a.correct,
                    "attempts": a.attempts,
                    "first_attempt_correct": a.first_attempt_correct,
                    "last_answered_at": a.last_answered_at.isoformat(),
                }
                for q, a in self.answers.items()
            },
        }


def progress_for(user) -> dict[str, LessonProgress]:
    """Every lesson of the course, in course order, with ``user``'s answers and completion."""
    out = {s.slug: LessonProgress(lesson=s.slug, title=s.title) for s in COURSE}
    if user is None or not getattr(user, "is_authenticated", False):
        return out
    for a in LessonAnswer.objects.filter(user=user):
        if a.lesson in out:
            out[a.lesson].answers[a.question] = a
    for c in LessonCompletion.objects.filter(user=user):
        if c.lesson in out:
            out[c.lesson].completed_at = c.completed_at
    return out
