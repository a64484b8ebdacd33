"""Class pages for the five visitors, and the forms behind them."""

from __future__ import annotations

import pytest
from django.test import Client

from nnweb.classes import live
from nnweb.classes import playground_api as playground
from nnweb.classes.models import Assignment, Class

from .conftest import ACTORS, open_session

A, S, OS, OI, I = ACTORS  # noqa: E741

LOGIN = 302  # anonymous visitors are sent to the login page
INSTRUCTOR_ONLY = {A: LOGIN, S: 403, OS: 404, OI: 404, I: 200}
MEMBERS = {A: LOGIN, S: 200, OS: 404, OI: 404, I: 200}

PAGES = [
    ("index", "/classes/", {A: LOGIN, S: 200, OS: 200, OI: 200, I: 200}),
    ("join link", "/classes/join/{code}/", {A: LOGIN, S: 200, OS: 200, OI: 200, I: 200}),
    ("class", "/classes/{c}/", MEMBERS),
    ("delete class", "/classes/{c}/delete/", INSTRUCTOR_ONLY),
    ("assignment", "/classes/{c}/assignments/{a}/", INSTRUCTOR_ONLY),
    ("gradebook csv", "/classes/{c}/gradebook.csv", INSTRUCTOR_ONLY),
    ("live", "/classes/{c}/live/", INSTRUCTOR_ONLY),
    ("snapshot", "/classes/{c}/live/{s}/", INSTRUCTOR_ONLY),
]


def _client(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_page_permissions(page, actors, klass, challenge, student):
    name, url, expected = page
    url = url.format(c=klass.pk, a=challenge.pk, s=student.pk, code=klass.join_code)
    for actor in ACTORS:
        resp = _client(actors[actor]).get(url)
        assert resp.status_code == expected[actor], (name, actor)
        if resp.status_code == LOGIN:
            assert "/accounts/login/" in resp["Location"]


def test_instructor_page_shows_the_grid_and_student_page_only_their_row(
    actors, klass, challenge, student, other_student
):
    klass.students.add(other_student)
    teacher = _client(actors["instructor"]).get(f"/classes/{klass.pk}/").content.decode()
    assert klass.join_code in teacher and 'data-student="alice"' in teacher
    assert 'data-student="bob"' in teacher and "Download the grade book" in teacher
    mine = _client(student).get(f"/classes/{klass.pk}/").content.decode()
    assert klass.join_code not in mine and "bob" not in mine
    assert "Check my playground" in mine and "test accuracy ≥ 90% on xor" in mine


def test_create_class_and_assignment_by_form(instructor):
    c = _client(instructor)
    resp = c.post("/classes/", {"action": "create", "name": "Evening lab"})
    klass = Class.objects.get(name="Evening lab")
    assert resp.status_code == 302 and resp["Location"] == f"/classes/{klass.pk}/"
    form = {
        "action": "assignment",
        "title": "Spiral",
        "kind": "challenge",
        "due": "2030-05-01T10:00",
        "goal_measure": "accuracy",
        "goal_dataset": "spiral",
        "goal_min_test_accuracy": "90",
        "goal_max_hidden_neurons": "12",
    }
    assert c.post(f"/classes/{klass.pk}/", form).status_code == 302
    a = Assignment.objects.get(title="Spiral")
    assert a.goal["min_test_accuracy"] == 0.9 and a.goal["max_hidden_neurons"] == 12
    page = c.get(f"/classes/{klass.pk}/").content.decode()
    assert "Spiral" in page
    bad = c.post(f"/classes/{klass.pk}/", {**form, "goal_min_test_accuracy": "", "title": "X"})
    assert bad.status_code == 400 and "min_test_accuracy" in bad.content.decode()
    assert not Assignment.objects.filter(title="X").exists()


def test_student_refused_creating_a_class_and_joins_by_link(student, klass, other_student):
    c = _client(other_student)
    resp = c.post("/classes/", {"action": "create", "name": "Mine"})
    assert resp.status_code == 403 and not Class.objects.filter(name="Mine").exists()
    assert c.post("/classes/", {"action": "join", "code": "WRONG"}).status_code == 400
    resp = c.post(f"/classes/join/{klass.join_code}/")
    assert resp.status_code == 302 and klass.students.filter(pk=other_student.pk).exists()


def test_check_my_playground_uses_the_students_own_session(klass, challenge, student):
    c = _client(student)
    resp = c.post(f"/classes/{klass.pk}/assignments/{challenge.pk}/check/", follow=True)
    assert "open the playground" in resp.content.decode()
    session = open_session(student, {"dataset": "xor", "hidden": [8], "lr": 0.3})
    for _ in range(40):
        playground.act(session, {"action": "epoch"})
    live.store_tile(live.tile(student, session))  # what the student's open websocket records
    resp = c.post(f"/classes/{klass.pk}/assignments/{challenge.pk}/check/", follow=True)
    assert "goal met" in resp.content.decode()
    assert challenge.submissions.get(student=student).status == "passed"


def test_owner_deletes_the_class_after_confirming(klass, instructor, challenge, other_instructor):
    from nnweb.classes import services

    services.add_instructor(klass, instructor, "olga")
    page = _client(instructor).get(f"/classes/{klass.pk}/")
    assert f"/classes/{klass.pk}/delete/" in page.content.decode()
    co_page = _client(other_instructor).get(f"/classes/{klass.pk}/").content.decode()
    assert f"/classes/{klass.pk}/delete/" not in co_page and "Remove olga" not in co_page
    # a co-instructor can neither see the confirmation nor delete
    assert _client(other_instructor).get(f"/classes/{klass.pk}/delete/").status_code == 403
    assert _client(other_instructor).post(f"/classes/{klass.pk}/delete/").status_code == 403
    confirm = _client(instructor).get(f"/classes/{klass.pk}/delete/").content.decode()
    assert "1 assignment" in confirm and "1 student" in confirm
    assert "lesson answers" in confirm and Class.objects.filter(pk=klass.pk).exists()
    resp = _client(instructor).post(f"/classes/{klass.pk}/delete/")
    assert resp.status_code == 302 and resp["Location"] == "/classes/"
    assert not Class.objects.filter(pk=klass.pk).exists()
    assert not Assignment.objects.filter(pk=challenge.pk).exists()


def test_owner_removes_a_co_instructor_by_form(klass, instructor, other_instructor):
    from nnweb.classes import services

    services.add_instructor(klass, instructor, "olga")
    body = {"action": "remove_instructor", "user": str(other_instructor.pk)}
    assert _client(other_instructor).post(f"/classes/{klass.pk}/", body).status_code == 403
    assert klass.instructors.filter(pk=other_instructor.pk).exists()
    resp = _client(instructor).post(f"/classes/{klass.pk}/", body)
    assert resp.status_code == 302
    assert not klass.instructors.filter(pk=other_instructor.pk).exists()


def test_class_forms_are_checked_by_the_api_serializers_with_errors_inline(instructor, klass):
    c = _client(instructor)
    r = c.post("/classes/", {"action": "create", "name": "x" * 121})
    page = r.content.decode()
    assert r.status_code == 400 and not Class.objects.filter(name="x" * 121).exists()
    # the API's message (nnweb.classes.serializers.ClassInputSerializer), under the field
    assert 'id="id_name_error">Ensure this field has no more than 120 characters.<' in page
    assert 'aria-invalid="true" aria-describedby="id_name_error"' in page
    r = c.post("/classes/", {"action": "join", "code": ""})
    page = r.content.decode()
    assert r.status_code == 400 and 'id="id_code_error">This field may not be blank.<' in page
    r = c.post(f"/classes/{klass.pk}/", {"action": "instructor", "username": ""})
    page = r.content.decode()
    assert r.status_code == 400 and 'id="id_username_error">This field may not be blank.<' in page
