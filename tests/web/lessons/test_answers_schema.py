"""The lessons API's own responses (index, check, reveal, complete) match what the schema
documents for them, for each kind of question, graded right and wrong, anonymous and saved."""

from __future__ import annotations

import jsonschema
import pytest

from nnweb.lessons.questions import all_questions
from tests.web.schema_checks import check_response

pytestmark = pytest.mark.django_db

CHECK, REVEAL = "/api/lessons/check/", "/api/lessons/reveal/"


def first_of_kind(kind: str):
    return next(q for qs in all_questions().values() for q in qs.values() if q.kind == kind)


def documented(schema, client, path: str, body=None, status: int = 200) -> dict:
    r = client.post(path, body, format="json") if body is not None else client.get(path)
    assert r.status_code == status, r.content[:300]
    check_response(schema, "post" if body is not None else "get", path, status, r.json())
    return r.json()


def test_the_index_as_documented(api_schema, api_client):
    body = documented(api_schema, api_client, "/api/lessons/")
    assert body["conv2d"]["method"] == "POST"


@pytest.mark.parametrize("kind", ["value", "choice", "prediction"])
@pytest.mark.parametrize("who", ["api_client", "student_api"])
def test_check_and_reveal_as_documented(api_schema, request, who, kind):
    client = request.getfixturevalue(who)
    q = first_of_kind(kind)
    ref = {"lesson": q.lesson, "question": q.id}
    right = q.accepted[0] if q.accepted else q.choices[0][0]
    wrong = "-12345" if kind == "value" else None
    for answer in [right] + ([wrong] if wrong else []):
        body = documented(api_schema, client, CHECK, {**ref, "answer": answer})
        assert body["kind"] == kind and (body["saved"] is None) == (who == "api_client")
        assert ("reveal" in body) == (body["correct"] is not False)
    body = documented(api_schema, client, REVEAL, ref)
    assert body["reveal"] and (body["accepted"] == []) == (kind == "prediction")


def test_complete_as_documented(api_schema, student_api):
    lesson = first_of_kind("value").lesson
    body = documented(api_schema, student_api, "/api/lessons/complete/", {"lesson": lesson})
    assert body["lesson"] == lesson


def test_a_reveal_that_is_markup_is_refused(api_schema, api_client):
    q = first_of_kind("value")
    r = api_client.post(REVEAL, {"lesson": q.lesson, "question": q.id}, format="json")
    body = r.json()
    body["reveal"] = ["<b>not segments</b>"]
    with pytest.raises(jsonschema.ValidationError):
        check_response(api_schema, "post", REVEAL, 200, body)


def test_every_lesson_result_is_documented_and_checked(api_schema, api_client):
    from nnweb.lessons.api_urls import ENDPOINTS

    from .conftest import CHECKED

    for name in ENDPOINTS:
        response = api_schema["paths"][f"/api/lessons/{name}/"]["post"]["responses"]["200"]
        ref = response["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("Result"), (name, ref)
    before = len(CHECKED)
    assert api_client.post("/api/lessons/nll/", {}, format="json").status_code == 200
    assert CHECKED[before:] == ["/api/lessons/nll/"]  # the fixture saw and checked it
