"""A database that is busy (locked, or briefly unreachable) is a temporary condition.

Web requests that meet one answer a JSON 503 with ``Retry-After`` instead of Django's HTML
500, and the background worker waits and retries instead of exiting
(``nnweb.training.management.commands.worker``).

SQLite waits up to its busy timeout (20 s, settings) for another process's write lock.
That suits the worker, whose writes must land; a person waiting 20 s for a page is worse
served than by a quick "try again in a few seconds", so web requests use the shorter
``NNWEB_DB_BUSY["WEB_TIMEOUT"]`` (set on each connection once, by this middleware).

Django turns an exception raised anywhere below a middleware into a 500 response before the
middleware sees it, so the exception is recognised where Django reports it (the
``got_request_exception`` signal) and the 500 replaced on the way out. Handlers that answer
exceptions themselves (the API's, nnweb.core.errors) turn them into the same 503 first.
"""

from __future__ import annotations

import functools
import logging
import sys
import time

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import JsonResponse

logger = logging.getLogger(__name__)

FIRST_DELAY = 0.5  # s before the first retry; doubles up to MAX_DELAY
MAX_DELAY = 15.0
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def is_db_busy(err: BaseException | None) -> bool:
    """True for errors that go away by waiting: a lock held too long, a lost connection."""
    if not isinstance(err, DatabaseError):
        return False
    text = str(err).lower()
    if any(s in text for s in _SQLITE_BUSY):
        return True
    if "sqlite" in type(getattr(err, "__cause__", None)).__module__:
        return False  # other SQLite errors ("no such table") do not pass
    return isinstance(err, (OperationalError, InterfaceError))


def reset_connections() -> None:
    """Drop connections a failed statement may have left broken or inside a transaction."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # a connection that cannot even close is gone anyway
            logger.debug("database connection %s did not close", conn.alias, exc_info=True)


def retrying(fn, what: str, give_up_after: float = 120.0):
    """``fn`` retried with exponential backoff while the database is busy, for at most
    ``give_up_after`` s; for writes that must land (a task's result, a run's outcome)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        delay, started = FIRST_DELAY, time.monotonic()
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as err:
                if not is_db_busy(err) or time.monotonic() - started > give_up_after:
                    raise
                logger.warning("%s: database busy (%s); retrying in %.1f s", what, err, delay)
                reset_connections()
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)

    return wrapper


def _conf() -> dict:
    return {"WEB_TIMEOUT": 5.0, "RETRY_AFTER": 5, **getattr(settings, "NNWEB_DB_BUSY", {})}


def busy_retry_after() -> int:
    return int(_conf()["RETRY_AFTER"])


def busy_detail() -> str:
    return (
        f"The database is busy (another process holds a lock); try again in {busy_retry_after()} s."
    )


def busy_response(err: BaseException | None) -> JsonResponse | None:
    """The JSON 503 for a busy database, or None when ``err`` is something else."""
    if not is_db_busy(err):
        return None
    body = {
        "type": "server_error",
        "errors": [{"code": "database_busy", "detail": busy_detail(), "attr": None}],
    }
    response = JsonResponse(body, status=503)
    response["Retry-After"] = str(busy_retry_after())
    return response


@receiver(got_request_exception, dispatch_uid="nnweb.core.db_busy")
def _remember(sender, request=None, **kwargs) -> None:
    err = sys.exc_info()[1]
    if request is not None and is_db_busy(err):
        request._nnweb_db_busy = err


_web_process = False  # set once this process serves requests (the middleware is loaded)


def _shorten_sqlite_wait(conn) -> None:
    """Apply the web busy timeout to ``conn`` once per raw connection (and setting)."""
    raw = conn.connection
    if conn.vendor != "sqlite" or raw is None:
        return
    ms = int(float(_conf()["WEB_TIMEOUT"]) * 1000)
    if getattr(conn, "_nnweb_busy", None) != (id(raw), ms):
        raw.execute(f"PRAGMA busy_timeout = {ms}")
        conn._nnweb_busy = (id(raw), ms)


@receiver(connection_created, dispatch_uid="nnweb.core.db_busy.connection_created")
def _on_connect(sender, connection, **kwargs) -> None:
    if _web_process:
        _shorten_sqlite_wait(connection)


class DatabaseBusyMiddleware:
    """Outermost middleware: a busy database answers 503 JSON with Retry-After."""

    def __init__(self, get_response):
        global _web_process
        _web_process = True
        self.get_response = get_response

    def __call__(self, request):
        for conn in connections.all(initialized_only=True):
            _shorten_sqlite_wait(conn)
        response = self.get_response(request)
        err = getattr(request, "_nnweb_db_busy", None)
        if err is not None and response.status_code >= 500:
            return busy_response(err)
        return response
