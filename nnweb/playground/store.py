"""Where open playground sessions are kept: ``get``, ``save`` and ``delete``.

This module is the one seam between a session and where it lives; nothing else in the app
touches ``local`` or the cache. Today a session lives in the memory of the web process that
opened it (``local``, bounded, idle ones dropped), and ``save`` also copies its state (settings,
weights, counters, history; not the stage cursor) to the shared Django cache, so that another
web process behind the same address can take it over in ``get``.

Callers ``save`` after a REST action and when a socket closes; the websocket's own actions and
its play loop work on the in-process object. A cross-process authoritative store replaces the
bodies of these three functions and keeps their signatures.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from . import config as cfgmod
from .errors import PlaygroundError, is_anonymous
from .session import PlaygroundSession

CACHE_PREFIX = "nnweb:playground:session:"


class SessionStore:
    """Open playground sessions of this process (bounded; idle ones are dropped)."""

    def __init__(self, max_sessions: int = 500, idle_seconds: float = 3600.0) -> None:
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, PlaygroundSession] = OrderedDict()

    def add(self, session: PlaygroundSession) -> PlaygroundSession:
        with self._lock:
            if session.id not in self._sessions:
                self._evict()
            self._sessions[session.id] = session
            self._sessions.move_to_end(session.id)
        return session

    def get(self, session_id: str) -> PlaygroundSession | None:
        with self._lock:
            s = self._sessions.get(session_id)
            if s is not None:
                self._sessions.move_to_end(session_id)
            return s

    def discard(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._sessions)

    def _evict(self) -> None:
        now = time.monotonic()
        for sid in [k for k, s in self._sessions.items() if now - s.touched > self.idle_seconds]:
            del self._sessions[sid]  # a playing socket touches its session every frame
        while len(self._sessions) >= self.max_sessions:
            self._sessions.popitem(last=False)


local = SessionStore()


def get(session_id: str, user=None) -> PlaygroundSession:
    """The open session ``session_id`` if ``user`` may use it (PlaygroundError otherwise).

    A session this process does not hold is taken over from the shared cache when another
    process saved it there."""
    session_id = str(session_id)
    s = local.get(session_id)
    if s is None:
        s = _from_cache(session_id, user)
    if s is None:
        raise PlaygroundError(
            "this playground session has expired or does not exist; reload the page",
            code="not_found",
        )
    _check_owner(s.owner_id, user)
    return s


def save(session: PlaygroundSession) -> PlaygroundSession:
    """Keep ``session`` in this process and copy its state to the shared cache."""
    local.add(session)
    from django.core.cache import cache

    with session.lock:
        state = {
            "config": session.config.to_dict(),
            "anonymous": session.anonymous,
            "owner_id": session.owner_id,
            "model_id": session.model_id,
            "hidden_controls": sorted(session.hidden_controls),
            "params": session.net.get_params(),
            "history": session.history,
            "iteration": session.iteration,
            "epoch": session.epoch,
        }
    try:
        cache.set(CACHE_PREFIX + session.id, state, timeout=int(local.idle_seconds))
    except Exception:  # noqa: BLE001 - the cache is a convenience; this process still has it
        pass
    return session


def delete(session_id: str) -> None:
    """Close the session: gone from this process and from the shared cache."""
    from django.core.cache import cache

    local.discard(session_id)
    try:
        cache.delete(CACHE_PREFIX + session_id)
    except Exception:  # noqa: BLE001
        pass


def _check_owner(owner_id, user) -> None:
    if owner_id is not None and (is_anonymous(user) or user.pk != owner_id):
        raise PlaygroundError("this playground session belongs to someone else", code="forbidden")


def _from_cache(session_id: str, user) -> PlaygroundSession | None:
    from django.core.cache import cache

    try:
        state = cache.get(CACHE_PREFIX + session_id)
    except Exception:  # noqa: BLE001
        return None
    if not state:
        return None
    owner = state["owner_id"]
    _check_owner(owner, user)
    cfg = cfgmod.validate(state["config"], anonymous=state["anonymous"])
    if state.get("model_id") is not None:
        s = PlaygroundSession.create(state["config"], user=user, model_id=state["model_id"])
    else:
        s = PlaygroundSession(
            cfg, anonymous=state["anonymous"], owner_id=owner, user=user, session_id=session_id
        )
    s.id = session_id
    s.anonymous = state["anonymous"]
    s.owner_id = owner
    s.hidden_controls = frozenset(state.get("hidden_controls") or ())
    s.restore(state)
    return local.add(s)
