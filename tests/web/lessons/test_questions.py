"""Questions beside their panels, graded by the server; answers saved for signed-in students."""

from __future__ import annotations

import re

import pytest

from frontend.course import COURSE
from nnweb.lessons.models import LessonAnswer
from nnweb.lessons.questions import all_questions

pytestmark = pytest.mark.django_db

LESSONS = [s.slug for s in COURSE]


def page(client, slug):
    r = client.get(f"/lessons/{slug}/")
    assert r.status_code == 200
    return r.content.decode()


@pytest.mark.parametrize("slug", LESSONS)
def test_every_question_is_on_its_page_without_its_answer(client, slug):
    html = page(client, slug)
    qs = all_questions()[slug]
    assert "data-answer" not in html
    for q in qs.values():
        assert f'data-question="{q.id}"' in html
        # the explanation (which states the answer) is not in the source
        assert q.reveal[:60] not in html


@pytest.mark.parametrize("slug", LESSONS)
def test_each_question_sits_right_after_the_panel_that_answers_it(client, slug):
    html = page(client, slug)
    panels = [(m.start(), m.group(1)) for m in re.finditer(r'data-panel="([^"]+)"', html)]
    for q in all_questions()[slug].values():
        at = html.index(f'data-question="{q.id}"')
        before = [name for pos, name in panels if pos < at]
        assert before and before[-1] == q.panel, (q.id, q.panel, before[-1:])


@pytest.mark.parametrize("slug", LESSONS)
def test_each_lesson_has_a_prediction_tied_to_a_panel(client, slug):
    preds = [q for q in all_questions()[slug].values() if q.kind == "prediction"]
    assert preds and all(q.panel for q in preds)


@pytest.mark.parametrize("slug", LESSONS)
def test_notes_differ_is_one_collapsible_section_without_test_ids(client, slug):
    html = page(client, slug)
    assert html.count('class="notes-differ"') <= 1
    assert '<aside class="erratum"' not in html
    assert "test_errata" not in html and "tests/engine" not in html and "::" not in html
    if 'class="erratum"' in html:
        assert re.search(
            r'<details class="notes-differ"[^>]*>\s*<summary><h2>Where the notes differ', html
        )


def check(client, lesson, question, answer, status=200):
    r = client.post(
        "/api/lessons/check/",
        {"lesson": lesson, "question": question, "answer": answer},
        format="json",
    )
    assert r.status_code == status, r.content
    return r.json()


def test_a_right_number_is_graded_right_and_revealed(api_client):
    r = check(api_client, "maximum-likelihood", "q1", "0.6931")
    assert r["correct"] is True and r["saved"] is None
    assert any(kind == "math" and "0.693" in v for kind, v in r["reveal"])


def test_a_wrong_answer_is_graded_wrong_without_the_answer(api_client):
    r = check(api_client, "maximum-likelihood", "q1", "0.9")
    assert r["correct"] is False and "reveal" not in r


def test_a_choice_question(api_client):
    assert check(api_client, "maximum-likelihood", "q3", "same")["correct"] is True
    assert check(api_client, "maximum-likelihood", "q3", "changes")["correct"] is False
    r = check(api_client, "maximum-likelihood", "q3", "maybe", status=400)
    assert "answer" in str(r)


def test_a_prediction_is_recorded_ungraded_and_then_explained(student_api):
    r = check(student_api, "pooling", "predict", "one")
    assert r["correct"] is None and r["reveal"]
    row = LessonAnswer.objects.get(lesson="pooling", question="predict")
    assert row.answer == "one" and row.correct is None


def test_signed_in_answers_are_saved_with_attempts(student_api, student):
    check(student_api, "pooling", "q1", "3")
    r = check(student_api, "pooling", "q1", "4")
    assert r["saved"] == {"attempts": 2, "first_attempt_correct": False}
    row = LessonAnswer.objects.get(user=student, lesson="pooling", question="q1")
    assert row.correct is True and row.answer == "4"


def test_anonymous_answers_are_not_saved(api_client):
    check(api_client, "pooling", "q1", "4")
    assert LessonAnswer.objects.count() == 0


@pytest.mark.parametrize(
    "body,field",
    [
        ({"lesson": "nope", "question": "q1", "answer": "1"}, "lesson"),
        ({"lesson": "pooling", "question": "q99", "answer": "1"}, "question"),
        ({"lesson": "pooling", "question": "q1", "answer": ""}, "answer"),
        ({"lesson": "pooling", "question": "q1"}, "answer"),
        ({"lesson": "pooling", "question": "q1", "answer": "4", "extra": 1}, "extra"),
    ],
)
def test_bad_check_requests_name_the_field(api_client, body, field):
    r = api_client.post("/api/lessons/check/", body, format="json")
    assert r.status_code == 400 and field in r.content.decode()


def test_reveal_on_request_gives_the_accepted_answer(api_client):
    r = api_client.post(
        "/api/lessons/reveal/", {"lesson": "pooling", "question": "q4"}, format="json"
    ).json()
    assert r["accepted"] == ["3.25"] and r["reveal"]


def test_every_graded_question_accepts_its_own_answer(api_client):
    for lesson, qs in all_questions().items():
        for q in qs.values():
            if q.graded:
                assert check(api_client, lesson, q.id, q.accepted[0])["correct"] is True


def test_completion_and_progress_need_a_signed_in_student(api_client, student_api):
    body = {"lesson": "pooling"}
    assert api_client.post("/api/lessons/complete/", body, format="json").status_code in (401, 403)
    assert api_client.get("/api/lessons/progress/").status_code in (401, 403)
    assert student_api.post("/api/lessons/complete/", body, format="json").status_code == 200
    check(student_api, "pooling", "q1", "4")
    rows = {p["lesson"]: p for p in student_api.get("/api/lessons/progress/").json()}
    assert list(rows) == LESSONS
    assert rows["pooling"]["completed"] and rows["pooling"]["correct"] == 1
