"""Where open playground sessions are kept: ``get``, ``save`` and ``delete``.

This module is the one seam between a session and where it lives; nothing else in the app
touches ``local`` or the cache. Today a session lives in the memory of the web process that
opened it (``local``, bounded, idle ones dropped), and ``save`` also copies its state (settings,
weights, counters, history; not the stage cursor) to the shared Django cache, so that another
web process behind the same address can take it over in ``get``.

Callers ``save`` after a REST action and when a socket closes. Embedded, the websocket's own
actions and its play loop work on the in-process object. Scaled out (REDIS_URL), the
authority is the shared state of ``shared.py``: ``get`` serves the current version, every
action runs inside ``acting`` and every play frame through ``play_frame``, whichever process
holds the socket or receives the request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from contextlib import nullcontext

from django.core.cache import cache

from . import config as cfgmod
from . import shared
from .errors import PlaygroundError, is_anonymous
from .session import PlaygroundSession

logger = logging.getLogger(__name__)

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
    if shared.enabled():  # scaled out: the shared state is the authority (shared.py)
        return _get_shared(session_id, user)
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
    if shared.enabled():
        shared.save(session)
        return session

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
        logger.warning("playground session %s: not copied to the cache", session.id, exc_info=True)
    return session


def delete(session_id: str) -> None:
    """Close the session: gone from this process and from the shared cache."""
    local.discard(session_id)
    if shared.enabled():
        shared.delete(session_id)
        return
    try:
        cache.delete(CACHE_PREFIX + session_id)
    except Exception:  # noqa: BLE001
        logger.warning("playground session %s: not removed from cache", session_id, exc_info=True)


def acting(session: PlaygroundSession):
    """Context of one action on ``session``: scaled out, it runs on the authoritative shared
    state (locked, refreshed before, written after); embedded, nothing to do."""
    return shared.acting(session) if shared.enabled() else nullcontext(session)


def play_frame(session: PlaygroundSession, token: str, first: bool = False) -> bytes | None:
    """One frame of the play loop ``token``; None once it should stop (paused, or another
    loop, maybe in another process, took over the session: the newest loop wins)."""
    if not shared.enabled():
        return session.play_frame()
    try:
        with session.lock, shared.acting(session):
            owner = getattr(session, "play_owner", None)
            if (first or owner is None) and session.playing:
                session.play_owner = owner = token  # this loop is the one that plays
            if owner != token:
                return None
            data = session.play_frame()
            if data is None or not session.playing:
                session.play_owner = None
            return data
    except PlaygroundError:
        return None  # closed everywhere (DELETE) or busy: the loop ends


def close_socket(session: PlaygroundSession, play_token: str | None) -> None:
    """A socket closed: its play loop stops. Scaled out, only the loop it owns: another
    process's socket may be playing the same session."""
    if not shared.enabled():
        session.playing = False
        save(session)
        return
    local.add(session)
    if play_token is None:
        return
    try:
        with session.lock, shared.acting(session):
            if getattr(session, "play_owner", None) == play_token:
                session.playing = False
                session.play_owner = None
    except PlaygroundError:
        pass  # deleted meanwhile


def _get_shared(session_id: str, user) -> PlaygroundSession:
    s = local.get(session_id)
    v = shared.version(session_id)
    if v is None:
        local.discard(session_id)
        raise shared.gone()
    if s is None or getattr(s, "shared_version", None) != v:
        s = shared.fetch(session_id, into=s)
        if s is None:
            raise shared.gone()
        local.add(s)
    _check_owner(s.owner_id, user)
    return s


def _check_owner(owner_id, user) -> None:
    if owner_id is not None and (is_anonymous(user) or user.pk != owner_id):
        raise PlaygroundError("this playground session belongs to someone else", code="forbidden")


def _from_cache(session_id: str, user) -> PlaygroundSession | None:
    try:
        state = cache.get(CACHE_PREFIX + session_id)
    except Exception:  # noqa: BLE001
        logger.warning("playground session %s: cache not readable", session_id, exc_info=True)
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
