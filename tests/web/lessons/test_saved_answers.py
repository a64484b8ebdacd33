"""Reopening a lesson: a signed-in student's saved answers and predictions are filled back
into its questions, with whether they were right; anonymous readers see nothing saved."""

from __future__ import annotations

import re

import pytest

from nnweb.lessons.services import record_answer

pytestmark = pytest.mark.django_db


def question_html(html: str, qid: str) -> str:
    m = re.search(rf'<div class="question[^"]*" data-question="{qid}".*?</div>', html, re.S)
    assert m, qid
    return m.group(0)


def pooling_page(client) -> str:
    r = client.get("/lessons/pooling/")
    assert r.status_code == 200
    return r.content.decode()


def answer_all(api):
    for question, answer in [("q1", "4"), ("q2", "7"), ("predict", "one")]:
        r = api.post(
            "/api/lessons/check/",
            {"lesson": "pooling", "question": question, "answer": answer},
            format="json",
        )
        assert r.status_code == 200, r.content


def test_saved_answers_are_filled_back_with_their_grade(student_api, student_client):
    answer_all(student_api)
    html = pooling_page(student_client)
    right = question_html(html, "q1")
    assert 'data-saved="right"' in right and 'data-attempts="1"' in right
    assert 'value="4"' in right and "Your saved answer is right." in right
    wrong = question_html(html, "q2")
    assert 'data-saved="wrong"' in wrong and 'value="7"' in wrong
    assert 'class="feedback wrong"' in wrong and "not right yet" in wrong
    pred = question_html(html, "predict")
    assert 'data-saved="recorded"' in pred
    assert re.search(r'value="one" checked', pred)
    assert "Press the panel and see." in pred
    # an unanswered question stays fresh; the explanations stay out of the source
    assert "data-saved" not in question_html(html, "q4")
    assert 'class="reveal" hidden></div>' in pred


def test_a_saved_option_that_no_longer_exists_is_not_shown(student, student_client):
    record_answer(student, "pooling", "predict", "gone", None)
    assert "data-saved" not in question_html(pooling_page(student_client), "predict")


def test_anonymous_readers_and_other_students_see_nothing_saved(
    student_api, client, other_student_client
):
    answer_all(student_api)
    for viewer in (client, other_student_client):
        html = pooling_page(viewer)
        assert "data-saved" not in html and " checked" not in html
        assert 'value="4"' not in html
