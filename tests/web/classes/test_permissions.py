"""Every class endpoint for the five visitors: anonymous, a student of the class, a student of
another class, the class's instructor, another instructor.

Someone outside the class gets 404 (the class is not shown to exist); a member without the
right role gets 403; anonymous visitors get 403 (session authentication, no challenge header).
"""

from __future__ import annotations

import pytest

from nnweb.accounts.services import ensure_user
from nnweb.classes import playground_api as playground
from nnweb.classes import services
from nnweb.classes.models import Assignment, Class, Submission
from tests.conftest import PASSWORD

from .conftest import ACTORS, client_for, open_session

# ruff: noqa: E501 - the table of cases reads best one endpoint per line

A, S, OS, OI, I = ACTORS  # noqa: E741 - short column names of the table below

# (name, method, url template, body, {actor: status})
INSTRUCTOR_ONLY = {A: 403, S: 403, OS: 404, I: 200, OI: 404}
MEMBERS = {A: 403, S: 200, OS: 404, I: 200, OI: 404}
STUDENT_ONLY = {A: 403, S: 200, OS: 404, I: 403, OI: 404}

CASES = [
    ("list", "get", "/api/classes/", None, {A: 403, S: 200, OS: 200, I: 200, OI: 200}),
    ("create", "post", "/api/classes/", {"name": "New"}, {A: 403, S: 403, OS: 403, I: 201, OI: 201}),
    ("detail", "get", "/api/classes/{c}/", None, MEMBERS),
    ("delete class", "delete", "/api/classes/{c}/", None, {**INSTRUCTOR_ONLY, I: 204}),
    ("add instructor", "post", "/api/classes/{c}/instructors/", {"username": "olga"}, INSTRUCTOR_ONLY),
    ("remove co-instructor", "delete", "/api/classes/{c}/instructors/{co}/", None, {**INSTRUCTOR_ONLY, I: 204}),
    ("roster", "get", "/api/classes/{c}/students/", None, INSTRUCTOR_ONLY),
    ("student results", "get", "/api/classes/{c}/students/{s}/", None, INSTRUCTOR_ONLY),
    ("remove student", "delete", "/api/classes/{c}/students/{s}/", None, {**INSTRUCTOR_ONLY, I: 204}),
    ("my results", "get", "/api/classes/{c}/me/", None, STUDENT_ONLY),
    ("assignments", "get", "/api/classes/{c}/assignments/", None, MEMBERS),
    (
        "create assignment",
        "post",
        "/api/classes/{c}/assignments/",
        {"title": "L", "kind": "lesson", "lesson": "sgd", "due": "2030-01-01T00:00:00Z"},
        {**INSTRUCTOR_ONLY, I: 201},
    ),
    ("assignment", "get", "/api/classes/{c}/assignments/{a}/", None, MEMBERS),
    ("delete assignment", "delete", "/api/classes/{c}/assignments/{a}/", None, {**INSTRUCTOR_ONLY, I: 204}),
    ("submit", "post", "/api/classes/{c}/assignments/{a}/submit/", {"session": "{sid}"}, STUDENT_ONLY),
    ("stats", "get", "/api/classes/{c}/assignments/{a}/stats/", None, INSTRUCTOR_ONLY),
    ("gradebook", "get", "/api/classes/{c}/gradebook/", None, INSTRUCTOR_ONLY),
    ("gradebook csv", "get", "/api/classes/{c}/gradebook.csv", None, INSTRUCTOR_ONLY),
    ("live tiles", "get", "/api/classes/{c}/live/", None, INSTRUCTOR_ONLY),
    ("live snapshot", "get", "/api/classes/{c}/live/{s}/", None, INSTRUCTOR_ONLY),
    ("send to class", "post", "/api/classes/{c}/send/", {"link": "{link}"}, INSTRUCTOR_ONLY),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_endpoint_permissions(case, actors, klass, challenge, student, instructor):
    """Each endpoint for each visitor, in ACTORS order (the class's instructor, whose writes
    succeed, last); every refusal leaves classes, assignments and the roster unchanged."""
    name, method, url, body, expected = case
    session = open_session(student, {"dataset": "xor"})
    link = playground.create_classroom_link(instructor, {"dataset": "xor"}, [], "")
    co = _co_instructor(klass, instructor)
    fill = {"c": klass.pk, "a": challenge.pk, "s": student.pk, "sid": session.id, "co": co.pk}
    fill["link"] = link["token"]
    url = url.format(**fill)
    if body is not None:
        body = {k: (v.format(**fill) if isinstance(v, str) else v) for k, v in body.items()}
    for actor in ACTORS:
        before = _counts(klass)
        resp = getattr(client_for(actors[actor]), method)(url, body, format="json")
        assert resp.status_code == expected[actor], (name, actor, resp.content[:300])
        if resp.status_code >= 400:
            assert before == _counts(klass), (name, actor)


def _co_instructor(klass, owner):
    ensure_user("cora", PASSWORD, instructor=True)
    return services.add_instructor(klass, owner, "cora")


def _counts(klass) -> tuple:
    return (
        Class.objects.count(),
        Assignment.objects.count(),
        Submission.objects.count(),
        klass.students.count(),
        klass.instructors.count(),
    )


def test_only_the_owner_deletes_the_class_or_removes_co_instructors(klass, instructor, challenge):
    """A co-instructor teaches the class but does not own it: they may not delete it nor
    remove another co-instructor, and the owner cannot be removed."""
    cora = _co_instructor(klass, instructor)
    ensure_user("carl", PASSWORD, instructor=True)
    carl = services.add_instructor(klass, instructor, "carl")
    as_cora = client_for(cora)
    assert as_cora.delete(f"/api/classes/{klass.pk}/").status_code == 403
    resp = as_cora.delete(f"/api/classes/{klass.pk}/instructors/{carl.pk}/")
    assert resp.status_code == 403 and "created this class" in resp.json()["errors"][0]["detail"]
    owner = client_for(instructor)
    resp = owner.delete(f"/api/classes/{klass.pk}/instructors/{instructor.pk}/")
    assert resp.status_code == 400 and resp.json()["errors"][0]["attr"] == "instructor"
    assert owner.delete(f"/api/classes/{klass.pk}/instructors/99999/").status_code == 404
    assert owner.delete(f"/api/classes/{klass.pk}/instructors/{carl.pk}/").status_code == 204
    assert list(klass.instructors.order_by("username").values_list("username", flat=True)) == [
        "cora",
        "irene",
    ]
    # the removed co-instructor no longer sees the class
    assert client_for(carl).get(f"/api/classes/{klass.pk}/").status_code == 404


def test_deleting_a_class_removes_its_assignments_and_submissions(
    klass, instructor, student, challenge
):
    from nnweb.lessons import services as progress

    services._record(challenge, student, True, 1.0, {"passed": True})
    progress.record_answer(student, "sgd", "q1", 1, True)
    assert client_for(instructor).delete(f"/api/classes/{klass.pk}/").status_code == 204
    assert not Class.objects.filter(pk=klass.pk).exists()
    assert Assignment.objects.count() == 0 and Submission.objects.count() == 0
    # the student's own work stays theirs
    assert student.lesson_answers.filter(lesson="sgd").exists()


def test_list_shows_only_my_classes(actors, klass, other_class):
    for actor, names in {
        "student": ["Lab A"],
        "other_student": ["Lab B"],
        "instructor": ["Lab A"],
        "other_instructor": ["Lab B"],
    }.items():
        data = client_for(actors[actor]).get("/api/classes/").json()
        assert [c["name"] for c in data] == names, actor


def test_join_code_only_for_instructors(actors, klass):
    as_student = client_for(actors["student"]).get(f"/api/classes/{klass.pk}/").json()
    as_teacher = client_for(actors["instructor"]).get(f"/api/classes/{klass.pk}/").json()
    assert as_student["join_code"] is None and as_student["role"] == "student"
    assert as_teacher["join_code"] == klass.join_code and as_teacher["role"] == "instructor"


def test_join_by_code_and_bad_code(actors, klass):
    bob = client_for(actors["other_student"])
    bad = bob.post("/api/classes/join/", {"code": "NOPE1234"}, format="json")
    assert bad.status_code == 400
    assert "NOPE1234" in bad.content.decode()
    ok = bob.post("/api/classes/join/", {"code": klass.join_code.lower()}, format="json")
    assert ok.status_code == 200 and ok.json()["name"] == "Lab A"
    assert klass.students.filter(username="bob").exists()
    # now bob is a student of Lab A and sees it
    assert bob.get(f"/api/classes/{klass.pk}/").status_code == 200


def test_co_instructor_gets_the_class(actors, klass):
    irene = client_for(actors["instructor"])
    resp = irene.post(f"/api/classes/{klass.pk}/instructors/", {"username": "olga"}, format="json")
    assert resp.status_code == 200
    olga = client_for(actors["other_instructor"])
    assert olga.get(f"/api/classes/{klass.pk}/gradebook/").status_code == 200
    # a student cannot be made a co-instructor
    bad = irene.post(f"/api/classes/{klass.pk}/instructors/", {"username": "bob"}, format="json")
    assert bad.status_code == 400 and "not an instructor" in bad.content.decode()


def test_another_instructors_student_is_not_visible(actors, klass, other_class, other_student):
    irene = client_for(actors["instructor"])
    assert irene.get(f"/api/classes/{klass.pk}/students/{other_student.pk}/").status_code == 404
    assert (
        irene.get(f"/api/classes/{other_class.pk}/students/{other_student.pk}/").status_code == 404
    )


def test_assignment_validation_names_the_field(actors, klass):
    irene = client_for(actors["instructor"])
    url = f"/api/classes/{klass.pk}/assignments/"
    resp = irene.post(
        url, {"title": "C", "kind": "challenge", "due": "2030-01-01T00:00:00Z"}, format="json"
    )
    assert resp.status_code == 400 and "goal" in resp.content.decode()
    resp = irene.post(
        url,
        {
            "title": "C",
            "kind": "challenge",
            "due": "2030-01-01T00:00:00Z",
            "goal": {"measure": "accuracy", "dataset": "sine", "min_test_accuracy": 0.9},
        },
        format="json",
    )
    assert resp.status_code == 400 and "regression" in resp.content.decode()
