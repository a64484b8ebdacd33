"""One error shape under /api/: JSON with a code, a message and the field path, whatever failed."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory, override_settings

from nnweb.core.errors import server_error, ws_error
from tests.web.api_errors import error_detail, errors_of

pytestmark = pytest.mark.django_db

JSON_ENDPOINTS = [
    "/api/core/jobs/primes/",
    "/api/segmentation/generate/",
    "/api/segmentation/run/",
    "/api/accounts/token/",
]


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "3"])
def test_a_body_that_is_not_an_object_is_a_400(path, body):
    response = Client().post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["type"] == "validation_error"


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_deeply_nested_json_is_a_400_naming_the_limit(path):
    response = Client().post(path, "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"] == "client_error"
    assert errors_of(response)[0]["code"] == "parse_error"
    assert "deeper than 32 levels" in error_detail(response)


def test_nesting_below_the_recursion_limit_is_refused_too():
    body = json.dumps(
        {"n": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
    )
    response = Client().post("/api/core/jobs/primes/", body, content_type="application/json")
    assert response.status_code == 400
    assert "deeper than 32" in error_detail(response)


def test_malformed_json_is_a_parse_error():
    response = Client().post("/api/core/jobs/primes/", "{bad", content_type="application/json")
    assert response.status_code == 400
    assert errors_of(response) == [
        {"code": "parse_error", "detail": error_detail(response), "attr": None}
    ]


def test_validation_errors_name_the_field():
    response = Client().post(
        "/api/core/jobs/primes/", {"n": "ten"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert errors_of(response) == [
        {"code": "invalid", "detail": "n must be a whole number.", "attr": "n"}
    ]


def test_405_and_415_share_the_shape():
    response = Client().delete("/api/core/jobs/primes/")
    assert response.status_code == 405
    assert errors_of(response)[0]["code"] == "method_not_allowed"
    response = Client().post("/api/core/jobs/primes/", "n=4", content_type="text/plain")
    assert response.status_code == 415
    assert errors_of(response)[0]["code"] == "unsupported_media_type"


@pytest.mark.parametrize("path", ["/api/nothing/", "/api/core/nothing", "/api/datasets/x/y/"])
def test_an_unrouted_api_path_is_a_json_404(path):
    for method in ("get", "post", "delete"):
        response = getattr(Client(), method)(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert errors_of(response)[0]["code"] == "not_found"
        assert path in error_detail(response)


def test_a_404_keeps_the_views_message(api_client):
    response = api_client.get("/api/datasets/99999/")
    assert response.status_code == 404
    assert error_detail(response) == "No such dataset, or you may not see it."


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversize_body_is_a_json_413_naming_the_limit():
    body = json.dumps({"n": 5, "pad": "x" * 5000})
    for path in JSON_ENDPOINTS:
        response = Client().post(path, body, content_type="application/json")
        assert response.status_code == 413, (path, response.content)
        assert errors_of(response)[0]["code"] == "payload_too_large"
        assert "limit of 1000 bytes" in error_detail(response)


def test_a_crash_in_a_view_is_a_json_500(api_client, monkeypatch):
    from nnweb.core import views

    def crash(self, request):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(views.ApiIndexView, "get", crash)
    response = Client(raise_request_exception=False).get("/api/")
    assert response.status_code == 500
    assert response.json() == {
        "type": "server_error",
        "errors": [{"code": "error", "detail": "Server Error (500)", "attr": None}],
    }


def test_a_500_outside_a_view_is_json_under_api_only():
    factory = RequestFactory()
    response = server_error(factory.get("/api/core/jobs/primes/"))
    assert response.status_code == 500
    assert json.loads(response.content)["type"] == "server_error"


def test_api_index_lists_the_sections(api_client):
    response = api_client.get("/api/")
    assert response.status_code == 200
    names = [s["name"] for s in response.json()["sections"]]
    assert {"core", "accounts", "datasets", "training", "modelzoo", "segmentation"} <= set(names)
    for section in response.json()["sections"]:
        assert section["url"] == f"/api/{section['name']}/"


def test_websocket_errors_use_the_same_items():
    assert ws_error("invalid", "Send JSON.", "n") == {
        "type": "error",
        "errors": [{"code": "invalid", "detail": "Send JSON.", "attr": "n"}],
    }
