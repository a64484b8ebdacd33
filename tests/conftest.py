"""Shared pytest fixtures for nnweb's tests.

Users (database fixtures; they need the `db` fixture or `@pytest.mark.django_db`, which
they request themselves):
    password            the password of every fixture user ("nnweb-Test-pass-42")
    student             a user in the "student" group (username "alice")
    instructor          a user in the "instructor" group (username "irene")
    other_student       a second student (username "bob"), for owner checks

Django test clients (django.test.Client):
    anon_client         not logged in
    student_client      logged in as `student`
    instructor_client   logged in as `instructor`

DRF clients (rest_framework.test.APIClient, session auth with CSRF checks off):
    api_client          not logged in
    student_api         logged in as `student`
    instructor_api      logged in as `instructor`
    student_token       the API token key of `student`
    token_api_client    an APIClient sending "Authorization: Token <student_token>"

Every test under tests/web/ starts with an empty cache (throttle counters reset).
"""

from __future__ import annotations

import pytest

PASSWORD = "nnweb-Test-pass-42"


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Reset the default cache (throttle counters) for web tests."""
    if "/tests/web/" not in request.node.path.as_posix():
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


def _make_user(username: str, *, instructor: bool):
    from nnweb.accounts.services import ensure_user

    return ensure_user(username, PASSWORD, instructor=instructor)


@pytest.fixture
def student(db):
    return _make_user("alice", instructor=False)


@pytest.fixture
def other_student(db):
    return _make_user("bob", instructor=False)


@pytest.fixture
def instructor(db):
    return _make_user("irene", instructor=True)


def _logged_in(user, api: bool = False):
    """A Django test client (or DRF APIClient with ``api``) with ``user`` logged in."""
    from django.test import Client
    from rest_framework.test import APIClient

    client = APIClient() if api else Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def anon_client():
    return _logged_in(None)


@pytest.fixture
def student_client(student):
    return _logged_in(student)


@pytest.fixture
def other_student_client(other_student):
    return _logged_in(other_student)


@pytest.fixture
def instructor_client(instructor):
    return _logged_in(instructor)


@pytest.fixture
def api_client():
    return _logged_in(None, api=True)


@pytest.fixture
def student_api(student):
    return _logged_in(student, api=True)


@pytest.fixture
def other_student_api(other_student):
    return _logged_in(other_student, api=True)


@pytest.fixture
def instructor_api(instructor):
    return _logged_in(instructor, api=True)


@pytest.fixture
def student_token(student) -> str:
    from nnweb.accounts.services import token_for

    return token_for(student)


@pytest.fixture
def token_api_client(student_token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {student_token}")
    return client


LIVE_SERVER_DIRS = ("e2e", "fuzz")


def _needs_live_server(nodeid: str) -> bool:
    """Whether the test with this node id ("tests/e2e/test_crawl.py::...") needs the live
    server."""
    top, _, rest = nodeid.partition("/")
    return top == "tests" and rest.split("/", 1)[0] in LIVE_SERVER_DIRS


@pytest.hookimpl(optionalhook=True)  # pytest -p no:xdist still runs
def pytest_xdist_make_scheduler(config, log):
    """How pytest-xdist shares the tests out (``make test`` runs two processes): one by one,
    except the live-server tests, which are one unit run by one process in their order. They
    share a live server, its browsers and the page crawler, and nothing may run after them in
    that process (see pytest_collection_modifyitems). The queue keeps the collection order, so
    they start once every other test has been handed out, and have the machine nearly to
    themselves. (xdist's own ``--dist loadgroup`` would do this with marks, but it renames the
    node ids through an attribute that pytest 9 no longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    class LiveServerTestsLast(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "live-server" if _needs_live_server(nodeid) else nodeid

    config.option.loadscopereorder = False  # keep the collection order
    return LiveServerTestsLast(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run the live-server tests (tests/e2e, tests/fuzz) after all others.

    Playwright's sync API keeps an event loop running in the main thread for the rest of the
    session; async tests and Django's sync-only ORM calls that run after it fail. pytest-django
    reorders tests by database use, which can put browser tests first, so order them here,
    after it (a stable sort keeps every other order as it was).
    """
    items.sort(key=lambda item: _needs_live_server(item.nodeid))


@pytest.fixture(scope="session")
def api_schema(django_db_blocker):
    """The OpenAPI schema as JSON Schema (tests.web.schema_checks), built once."""
    from tests.web.schema_checks import published_schema

    with django_db_blocker.unblock():
        return published_schema()


@pytest.fixture(scope="session")
def components(api_schema):
    """The OpenAPI components as JSON Schema (tests.web.schema_checks)."""
    return api_schema["components"]
