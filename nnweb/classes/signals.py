"""A lesson marked complete posts its score to the LMS for lesson assignments placed there."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from nnweb.lessons.models import LessonCompletion

from . import selectors
from .lti import grades
from .models import Assignment


@receiver(post_save, sender=LessonCompletion)
def lesson_completed(sender, instance: LessonCompletion, created: bool, **kwargs) -> None:
    if not created:
        return
    assignments = Assignment.objects.filter(
        kind=Assignment.Kind.LESSON, lesson=instance.lesson, klass__students=instance.user
    ).exclude(lti_lineitem="")
    for a in assignments:
        cell = selectors.cells_for(a, [instance.user])[instance.user.pk]

        def post(a=a, score=cell.score or 0.0):
            grades.post_score(a, instance.user, score)

        transaction.on_commit(post)
