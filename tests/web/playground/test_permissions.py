"""Who may call each playground endpoint (nnweb.playground.permissions): a refusal is a 403
that says what to do, for a visitor as well as a signed-in user."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from nnweb.accounts.services import ensure_user
from nnweb.playground import classroom, frames

from .conftest import code_of, detail_of

pytestmark = pytest.mark.django_db


def refused(response) -> str:
    assert response.status_code == 403, response.content[:200]
    body = frames.loads(response.content)
    assert code_of(body) == "forbidden"
    return detail_of(body)


def test_visitors_use_sessions_but_keep_no_experiments(api_client):
    r = api_client.post("/api/playground/sessions/", {"config": {}}, format="json")
    assert r.status_code == 201
    sid = frames.loads(r.content)["session"]
    assert api_client.get("/api/playground/experiments/").status_code == 200
    r = api_client.post(
        "/api/playground/experiments/", {"session": sid, "name": "x"}, format="json"
    )
    assert "sign in" in refused(r)
    assert "sign in" in refused(api_client.delete("/api/playground/experiments/1/"))


def test_only_instructors_make_links_and_only_the_owner_deletes_one(
    api_client, student_api, instructor_api, instructor, password
):
    other_instructor_api = APIClient()
    other_instructor_api.force_authenticate(ensure_user("olga", password, instructor=True))
    body = {"config": {"dataset": "xor"}, "hide": ["lr"]}
    assert "instructors" in refused(
        student_api.post("/api/playground/classroom-links/", body, format="json")
    )
    assert "instructors" in refused(
        api_client.post("/api/playground/classroom-links/", body, format="json")
    )
    link = classroom.create_classroom_link(instructor, {"dataset": "xor"}, ["lr"])
    url = f"/api/playground/classroom-links/{link['token']}/"
    for client in (api_client, student_api, other_instructor_api):
        assert client.get(url).status_code == 200  # anyone with the token reads it
        assert "not your classroom link" in refused(client.delete(url))
    assert instructor_api.delete(url).status_code == 204
    assert api_client.get(url).status_code == 404
