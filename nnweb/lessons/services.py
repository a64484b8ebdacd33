"""Writes of student progress (the models are described in ``models.py``; the reads are in
``selectors.py``).

    record_answer(user, lesson, question, answer, correct) -> LessonAnswer
    mark_complete(user, lesson) -> LessonCompletion

Views and other apps (the classroom grade book) call these rather than the ORM, so attempt
counting and first-attempt correctness are decided in one place.
"""

from __future__ import annotations

import re
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
