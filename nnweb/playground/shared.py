"""One authoritative playground session across web processes (scaled out, with Redis).

Design: the session's whole state lives in Redis next to a version number, and every action,
whichever process receives it (REST or websocket), runs under a per-session Redis lock:
acquire, reload the local copy if the shared version moved on, apply, write back with
version + 1, release. Chosen over "one owning process per session, the others forwarding
through the channel layer" because it needs no routing, survives the owning process going
away (any process can serve any session at any time, so a proxy needs no stickiness), and
keeps the action code identical in both modes. The cost is four Redis round trips and one
pickle of the session per action (well under a millisecond on a local Redis; the benchmark
prints it), paid only when REDIS_URL is set: embedded mode never comes here.

What is shared: everything the session object holds (config, data, network, optimizer with
its momentum, stage cursor, counters, history, play state) except its in-process lock and what
it derives from the data and settings (``PlaygroundSession.INPUT_FIELDS``: the feature
columns and the heatmap grid, rebuilt by the process that loads the state). The
state is pickled: it is written and read only by nnweb's own processes through the Redis
they are configured with, as Django's own Redis cache does.

The play loop runs once: the loop that starts records its token in the shared state
(``play_owner``) and each of its frames is an action like any other; a loop that finds
another token there (a newer loop in another process) or finds the session paused by a
stepping action (from any process) stops. DELETE removes the key, so every process's next
action on the session, its play loop included, finds it gone.
"""

from __future__ import annotations

import logging
import pickle
import threading
from contextlib import contextmanager

from django.conf import settings

from engine.network import Trace

from .errors import PlaygroundError
from .session import PlaygroundSession

logger = logging.getLogger(__name__)

KEY = "nnweb:playground:shared:"
TTL = 3600  # s an untouched session is kept
LOCK_WAIT = 15.0  # s an action waits for another process's action on the same session
LOCAL_ONLY = ("lock", "shared_version", *PlaygroundSession.INPUT_FIELDS)

_client = None
_client_lock = threading.Lock()


def enabled() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


def client():
    global _client
    with _client_lock:
        if _client is None:
            import redis  # deferred: needed only scaled out (REDIS_URL set)

            _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=10)
        return _client


def gone() -> PlaygroundError:
    return PlaygroundError(
        "this playground session has expired or does not exist; reload the page",
        code="not_found",
    )


def _materialize(value):
    """The engine builds a trace's per-layer views lazily (closures, which cannot be
    pickled): build them before the trace is shared."""
    if isinstance(value, Trace):
        for lt in value.layers:
            lt.dE_da  # noqa: B018 - resolves the lazy dE/da
    return value


def _dump(session: PlaygroundSession) -> bytes:
    state = {k: _materialize(v) for k, v in vars(session).items() if k not in LOCAL_ONLY}
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def _load_into(session: PlaygroundSession, blob: bytes, version: int) -> PlaygroundSession:
    session.__dict__.update(pickle.loads(blob))  # noqa: S301 - our own processes wrote it
    session._prepare_inputs()  # the INPUT_FIELDS, from the data and settings just loaded
    session.shared_version = version
    return session


def version(session_id: str) -> int | None:
    v = client().hget(KEY + session_id, "v")
    return None if v is None else int(v)


def fetch(session_id: str, into: PlaygroundSession | None = None) -> PlaygroundSession | None:
    """The shared state of ``session_id`` (loaded into ``into`` when given), or None."""
    blob, v = client().hmget(KEY + session_id, ["state", "v"])
    if blob is None or v is None:
        return None
    if into is None:
        into = PlaygroundSession.__new__(PlaygroundSession)
        into.lock = threading.RLock()
    return _load_into(into, blob, int(v))


def write(session: PlaygroundSession) -> None:
    """Store ``session`` as the next version (callers hold the session's Redis lock, or the
    session is new)."""
    key = KEY + session.id
    pipe = client().pipeline()
    pipe.hset(key, "state", _dump(session))
    pipe.hincrby(key, "v", 1)
    pipe.expire(key, TTL)
    session.shared_version = pipe.execute()[1]


def refresh(session: PlaygroundSession) -> None:
    """Bring the local copy up to the shared version (PlaygroundError if it was deleted)."""
    v = version(session.id)
    if v is None:
        raise gone()
    if v != getattr(session, "shared_version", None) and fetch(session.id, into=session) is None:
        raise gone()


@contextmanager
def acting(session: PlaygroundSession):
    """Run one action on the authoritative state: lock, refresh, act, write, unlock."""
    lock = client().lock(KEY + session.id + ":lock", timeout=30, blocking_timeout=LOCK_WAIT)
    if not lock.acquire():
        raise PlaygroundError(
            "this session is busy with another action; try again", code="rate_limited"
        )
    try:
        if getattr(session, "shared_version", None) is not None:
            refresh(session)  # else: never stored yet (made in this process): it is current
        try:
            yield session
        except BaseException:
            if getattr(session, "shared_version", None) is not None:
                session.shared_version = -1  # it may be half-changed: reload next time
            raise
        write(session)
    finally:
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - expired meanwhile: the next action re-checks
            logger.info("playground session %s: its lock expired during an action", session.id)


def save(session: PlaygroundSession) -> None:
    """Store a session made in this process. One already shared needs nothing here: every
    change to it (actions, play frames, REST play steps, a socket closing) runs in ``acting``,
    which writes it under the lock."""
    if getattr(session, "shared_version", None) is None:
        write(session)


def delete(session_id: str) -> None:
    client().delete(KEY + session_id)
