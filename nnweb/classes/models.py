"""Classes, their assignments and the students' submissions.

``Class``
    An instructor's class: a name, a join code (students join with it or with the join link),
    its instructors (the creator and any co-instructors) and its students.
``Assignment``
    One piece of work of a class, due at a date, of one of three kinds:
    ``lesson`` (the questions of a lesson; score = share of questions right at the first
    attempt), ``challenge`` (a playground goal the server checks on the student's own live
    session, see ``goals.py``) and ``training`` (a training run on one of the class's data sets
    reaching a validation accuracy).
``Submission``
    A student's result on a challenge or training assignment (lesson scores are read from the
    lessons app's saved answers): whether it passed, the score, what the server measured.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

# Join codes avoid characters that read alike (0/O, 1/I/L).
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class Class(models.Model):
    name = models.CharField(max_length=120)
    join_code = models.CharField(max_length=16, unique=True, default=new_join_code)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_classes"
    )
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="taught_classes")
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="enrolled_classes", blank=True
    )
    # Set when the class was created by an LTI launch: the LMS course it stands for.
    lti_context = models.CharField(max_length=400, blank=True, default="", db_index=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "classes"

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    class Kind(models.TextChoices):
        LESSON = "lesson", "Lesson"
        CHALLENGE = "challenge", "Playground challenge"
        TRAINING = "training", "Training run"

    klass = models.ForeignKey(Class, on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(max_length=160)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    due = models.DateTimeField()
    # kind = lesson: the lesson's slug (frontend.course.COURSE).
    lesson = models.SlugField(max_length=64, blank=True, default="")
    # kind = challenge: the goal (goals.Goal.to_dict()); classroom link it starts from, if any.
    goal = models.JSONField(default=dict, blank=True)
    # kind = training: a data set of the class and the validation accuracy to reach.
    dataset = models.ForeignKey(
        "datasets.Dataset", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_accuracy = models.FloatField(null=True, blank=True)
    # LTI: the line item of the LMS grade book this assignment posts scores to.
    lti_lineitem = models.URLField(max_length=500, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.klass})"


class Submission(models.Model):
    class Status(models.TextChoices):
        PASSED = "passed", "Passed"
        NOT_YET = "not_yet", "Not yet"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_submissions"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_YET)
    score = models.FloatField(default=0.0, help_text="0..1")
    # What the server measured on the last attempt (accuracy, E, hidden neurons, reasons).
    detail = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    passed_at = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="one_submission_each")
        ]
        ordering = ["assignment_id", "student_id"]

    def __str__(self) -> str:
        return f"{self.student} on {self.assignment}: {self.status}"
