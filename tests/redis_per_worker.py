"""pytest plugin: each pytest-xdist worker gets a Redis database of its own.

.ci/run tests tests/web against one Redis in two processes (``-p tests.redis_per_worker -n 2``).
The tests empty the cache and count throttles and open sockets in Redis, so two processes on
one database would see each other's keys. Loaded with ``-p``, its hook runs before
pytest-django has Django read its settings, and xdist has named the worker (gw0, gw1, ...) by
then: worker k takes database n + k + 1 where REDIS_URL names n (n itself is left to the
multi-process tests). Processes the tests start inherit the changed REDIS_URL.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest


def worker_redis_url(url: str, worker: str) -> str:
    """REDIS_URL for xdist worker ``worker`` ("gw0", ...): its own database number."""
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0) + 1 + int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{db}"))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if os.environ.get("REDIS_URL") and worker.startswith("gw"):
        os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], worker)
