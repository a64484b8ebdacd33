"""Student progress: saved answers (attempts, first-attempt correctness) and completion."""

from __future__ import annotations

import pytest

from frontend.course import COURSE
from nnweb.lessons.models import LessonAnswer
from nnweb.lessons.selectors import progress_for
from nnweb.lessons.services import mark_complete, record_answer

pytestmark = pytest.mark.django_db


def test_first_attempt_creates_the_row(student):
    a = record_answer(student, "convolution", "out-size", 3, True)
    assert (a.attempts, a.correct, a.first_attempt_correct, a.answer) == (1, True, True, 3)


def test_later_attempts_count_and_keep_first_attempt_correctness(student):
    record_answer(student, "pooling", "max-of-window", 5, False)
    first = LessonAnswer.objects.get(user=student, lesson="pooling", question="max-of-window")
    a = record_answer(student, "pooling", "max-of-window", 8, True)
    assert (a.attempts, a.correct, a.first_attempt_correct, a.answer) == (2, True, False, 8)
    assert a.first_answered_at == first.first_answered_at
    assert a.last_answered_at >= first.last_answered_at
    assert LessonAnswer.objects.count() == 1


def test_predictions_are_recorded_ungraded(student):
    a = record_answer(student, "pooling", "predict-shift", {"choice": "same"}, None)
    assert a.correct is None and a.first_attempt_correct is None
    assert progress_for(student)["pooling"].correct == 0


def test_answers_are_per_user(student, other_student):
    record_answer(student, "sgd", "q1", 1, True)
    record_answer(other_student, "sgd", "q1", 2, False)
    assert progress_for(student)["sgd"].answers["q1"].answer == 1
    assert progress_for(other_student)["sgd"].answers["q1"].attempts == 1


def test_mark_complete_is_idempotent(student):
    first = mark_complete(student, "activations")
    again = mark_complete(student, "activations")
    assert first.pk == again.pk and again.completed_at == first.completed_at


def test_progress_for_lists_every_lesson_in_course_order(student):
    record_answer(student, "mask-rcnn", "q", "x", True)
    mark_complete(student, "mask-rcnn")
    p = progress_for(student)
    assert list(p) == [s.slug for s in COURSE]
    assert p["mask-rcnn"].completed and p["mask-rcnn"].answered == 1
    assert p["mask-rcnn"].as_dict()["answers"]["q"]["correct"] is True
    assert not p["convolution"].completed and p["convolution"].answered == 0


def test_anonymous_progress_is_empty():
    from django.contrib.auth.models import AnonymousUser

    assert all(not lp.answers for lp in progress_for(AnonymousUser()).values())


@pytest.mark.parametrize(
    "lesson, question, correct, field",
    [
        ("no-such-lesson", "q", True, "lesson"),
        ("convolution", "Bad Id!", True, "question"),
        ("convolution", "q", "yes", "correct"),
    ],
)
def test_bad_input_names_the_field(student, lesson, question, correct, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        record_answer(student, lesson, question, 1, correct)
    assert LessonAnswer.objects.count() == 0


def test_mark_complete_rejects_unknown_lesson(student):
    with pytest.raises(ValueError, match="^lesson:"):
        mark_complete(student, "nope")


def test_course_page_shows_a_progress_map_to_a_signed_in_student(student, student_client):
    from nnweb.lessons.questions import all_questions

    record_answer(student, "pooling", "q1", "4", True)
    record_answer(student, "pooling", "q2", "3", False)
    mark_complete(student, "sgd")
    html = student_client.get("/lessons/").content.decode()
    assert 'data-testid="progress-map"' in html
    n = len(all_questions()["pooling"])
    graded = sum(q.graded for q in all_questions()["pooling"].values())
    pooling = html[html.index('data-lesson="pooling"') :][:600]
    assert "started" in html[html.index('data-lesson="pooling"') - 40 :][:60]
    assert f"2 of {n} answered, 1 of {graded} right" in pooling
    sgd = html[html.index('data-lesson="sgd"') - 40 :][:700]
    assert "done" in sgd and "complete ·" in sgd


def test_course_page_invites_anonymous_students_to_sign_in(client):
    html = client.get("/lessons/").content.decode()
    assert 'data-testid="progress-map"' not in html and "Sign in" in html


def test_lesson_page_offers_completion_to_signed_in_students(student, student_client, client):
    assert "complete-button" not in client.get("/lessons/sgd/").content.decode()
    assert "Mark this lesson complete" in student_client.get("/lessons/sgd/").content.decode()
    mark_complete(student, "sgd")
    html = student_client.get("/lessons/sgd/").content.decode()
    assert "Lesson complete</button>" in html
