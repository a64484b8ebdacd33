"""Student progress through the course: saved answers and completed lessons.

Two tables, keyed by the course's lesson slugs (``frontend.course.COURSE``, e.g.
``"convolution"``) and, for answers, by the question's id within its lesson (e.g.
``"conv-out-size"``):

``LessonAnswer``
    One row per (user, lesson, question): the latest answer given (JSON, as the page sent it),
    whether it was correct (``None`` for predictions, which are recorded but not graded),
    how many times the student answered, whether the first attempt was correct, and when the
    first and latest answers came in.
``LessonCompletion``
    One row per (user, lesson) the student has marked complete, with the time.

Write them through ``nnweb/lessons/services.py`` and read them through ``selectors.py``, not
the ORM directly, so the bookkeeping (attempt counts, first-attempt correctness) stays in one place:

``record_answer(user, lesson, question, answer, correct) -> LessonAnswer``
    Saves an answer; creates the row on the first attempt, otherwise bumps ``attempts`` and
    replaces ``answer``/``correct``. ``first_attempt_correct`` is fixed by the first call.
``mark_complete(user, lesson) -> LessonCompletion``
    Idempotent: the first completion time is kept.
``progress_for(user) -> dict[str, LessonProgress]``
    Every lesson of the course, in course order, with its answers and completion (empty for a
    lesson the student has not touched).

Lesson slugs are validated against the course and question ids must be slugs (``ValueError``
naming the field otherwise), so a typo cannot create rows that no page will ever show.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LessonAnswer(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_answers"
    )
    lesson = models.SlugField(max_length=64, help_text="the lesson's slug in the course")
    question = models.SlugField(max_length=64, help_text="the question's id within its lesson")
    answer = models.JSONField(help_text="the latest answer, as the student gave it")
    correct = models.BooleanField(
        null=True, blank=True, help_text="whether the latest answer is right; null = ungraded"
    )
    attempts = models.PositiveIntegerField(default=1)
    first_attempt_correct = models.BooleanField(null=True, blank=True)
    first_answered_at = models.DateTimeField(auto_now_add=True)
    last_answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "question"], name="lesson_answer_once_per_question"
            )
        ]
        indexes = [models.Index(fields=["lesson", "question"], name="lesson_answer_question")]
        ordering = ["user_id", "lesson", "question"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.lesson}/{self.question} ({self.attempts} attempt(s))"


class LessonCompletion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions"
    )
    lesson = models.SlugField(max_length=64)
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lesson_completed_once")
        ]
        ordering = ["user_id", "lesson"]

    def __str__(self) -> str:
        return f"{self.user_id} completed {self.lesson}"
