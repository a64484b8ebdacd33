"""API plumbing: OpenAPI schema and docs, throttling, settings defaults."""

import os

import pytest
from django.conf import settings
from rest_framework.settings import api_settings

pytestmark = pytest.mark.django_db


def test_schema_is_openapi3(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/accounts/token/" in schema["paths"]
    assert "/api/core/jobs/primes/" in schema["paths"]


def test_docs_page_uses_local_assets(anon_client):
    response = anon_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_throttling_is_configured():
    classes = [c.__name__ for c in api_settings.DEFAULT_THROTTLE_CLASSES]
    assert classes == ["AnonRateThrottle", "UserRateThrottle"]
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    for scope in ("anon", "user", "burst", "heavy", "auth"):
        assert rates[scope]


def test_anonymous_requests_are_throttled(api_client, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"}, raising=False)
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/min", raising=False)
    codes = [api_client.get("/api/accounts/me/").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]


def test_embedded_defaults_without_env():
    if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
        pytest.skip("scaled-out run: see test_scaled_out.py")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("InMemoryChannelLayer")
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert isinstance(settings.NNWEB_LIMITS, dict) and settings.NNWEB_LIMITS["MAX_LAYERS"] > 0
