"""The REST per-session action limit: a DRF throttle on one counter per session and second.

The counter lives in the default cache and is bumped with ``cache.add`` + ``cache.incr``,
which are atomic on Redis and on the local-memory cache, so every web process behind one
address counts the same actions. The websocket has its own token bucket in the consumer
(one connection, one process)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

KEY = "nnweb:playground:actions:{session}:{second}"


def message_rate() -> int:
    """Actions per second allowed on one session (socket and REST alike)."""
    return int(getattr(settings, "NNWEB_LIMITS", {}).get("WS_MESSAGES_PER_SECOND", 30))


class SessionActionThrottle(BaseThrottle):
    """At most ``message_rate()`` actions per second on one session."""

    def allow_request(self, request, view) -> bool:
        self.rate = message_rate()
        now = time.time()
        second = int(now)
        key = KEY.format(session=view.kwargs.get("session_id"), second=second)
        cache.add(key, 0, timeout=2)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add and incr
            cache.add(key, 1, timeout=2)
            count = 1
        self._wait = second + 1 - now
        return count <= self.rate

    def wait(self) -> float:
        return self._wait
