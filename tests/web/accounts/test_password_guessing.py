"""Password guessing is bounded: django-axes locks a user name + address out of the login form
and the token endpoint, concurrent guesses all count, and X-Forwarded-For is not believed
unless a trusted proxy is configured (NNWEB_TRUSTED_PROXIES)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from tests.web.api_errors import errors_of

# Threads use their own database connections: the rows axes writes must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = "/accounts/login/"
TOKEN = "/api/accounts/token/"


def _guess(kind: str, username: str, password: str, forwarded: str | None = None) -> int:
    client = Client(enforce_csrf_checks=False)
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    try:
        if kind == "login":
            r = client.post(LOGIN, {"username": username, "password": password}, **extra)
        else:
            body = {"username": username, "password": password}
            r = client.post(TOKEN, body, content_type="application/json", **extra)
        return r.status_code
    finally:
        connections.close_all()


def _concurrently(kind: str, n: int, username: str, rotate: bool) -> list[int]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [
            pool.submit(
                _guess,
                kind,
                username,
                f"wrong-{i}",
                f"10.0.{i // 250}.{i % 250}" if rotate else None,
            )
            for i in range(n)
        ]
        return [f.result() for f in futures]


@pytest.mark.parametrize("kind", ["login", "token"])
@pytest.mark.parametrize("n, rotate", [(40, False), (30, True)])
def test_concurrent_wrong_passwords_lock_the_account_out(
    student, password, kind, n, rotate, monkeypatch
):
    # The token endpoint's rate limit is tested apart: here only the lock-out may refuse.
    from nnweb.core.throttles import AuthRateThrottle

    monkeypatch.setattr(AuthRateThrottle, "get_rate", lambda self: "10000/min")
    codes = _concurrently(kind, n, student.username, rotate)
    limit = settings.AXES_FAILURE_LIMIT
    assert codes.count(429) >= n - limit, codes
    # Locked out even with the right password now, and told when to try again.
    client = Client()
    if kind == "login":
        r = client.post(LOGIN, {"username": student.username, "password": password})
        assert r.status_code == 429
        text = r.content.decode()
    else:
        body = {"username": student.username, "password": password}
        r = client.post(TOKEN, body, content_type="application/json")
        assert r.status_code == 429
        (error,) = errors_of(r)
        assert error["code"] == "locked_out"
        text = error["detail"]
    assert "Try again in 15 minutes" in text
    assert int(r["Retry-After"]) == 15 * 60


def test_x_forwarded_for_is_not_believed_without_a_trusted_proxy():
    from rest_framework.test import APIRequestFactory
    from rest_framework.throttling import BaseThrottle

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    request = APIRequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="9.9.9.9")
    from rest_framework.request import Request

    assert BaseThrottle().get_ident(Request(request)) == "9.9.9.9"


def test_the_throttle_counts_concurrent_requests():
    from django.core.cache import cache
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from nnweb.core.throttles import AuthRateThrottle

    cache.clear()
    throttle = AuthRateThrottle()
    num, _ = throttle.parse_rate(throttle.get_rate())

    def one(_):
        return AuthRateThrottle().allow_request(Request(APIRequestFactory().post("/")), None)

    with ThreadPoolExecutor(max_workers=8) as pool:
        allowed = list(pool.map(one, range(num + 20)))
    assert allowed.count(True) == num
