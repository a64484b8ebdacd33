"""Reads of student progress (the writes are in ``services.py``).

progress_for(user) -> dict[lesson slug, LessonProgress]   (every lesson, course order)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from frontend.course import COURSE

from .models import LessonAnswer, LessonCompletion


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
