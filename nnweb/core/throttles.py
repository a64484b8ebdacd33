"""Throttle classes. Rates live in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] and are
set from THROTTLE_* environment variables. Anonymous and per-user throttles apply to every
API view by default; add a scoped one to expensive views:

    from nnweb.core.throttles import BurstRateThrottle, HeavyRateThrottle
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, HeavyRateThrottle]

The counters live in the default cache (Redis when REDIS_URL is set, so they hold across
several web processes). DRF's own throttles read the request history, append and write it back:
requests sent at once all read the same history and all pass. Ours count in a fixed window with
``cache.add`` + ``cache.incr``, which are atomic in Redis and in the local-memory cache, so every
concurrent request is counted. The client address follows settings.TRUSTED_PROXIES (DRF's
NUM_PROXIES): X-Forwarded-For is believed only from that many proxies.
"""

from __future__ import annotations

import time

from rest_framework import throttling


class AtomicCounterMixin:
    """Fixed-window counting for a SimpleRateThrottle: one atomic increment per request."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window = int(time.time() // self.duration)
        key = f"{self.key}:{window}"
        self.cache.add(key, 0, timeout=self.duration + 1)
        try:
            count = self.cache.incr(key)
        except ValueError:  # the window expired between add and incr
            self.cache.add(key, 1, timeout=self.duration + 1)
            count = 1
        self._window_end = (window + 1) * self.duration
        return count <= self.num_requests

    def wait(self) -> float:
        return max(0.0, getattr(self, "_window_end", 0) - time.time())


class AnonRateThrottle(AtomicCounterMixin, throttling.AnonRateThrottle):
    """Anonymous requests per client address (rate "anon")."""


class UserRateThrottle(AtomicCounterMixin, throttling.UserRateThrottle):
    """Requests per signed-in user, or per address for anonymous ones (rate "user")."""


class BurstRateThrottle(UserRateThrottle):
    """Short-interval limit for interactive endpoints (rate "burst")."""

    scope = "burst"


class HeavyRateThrottle(UserRateThrottle):
    """Limit for endpoints that start real work (training, segmentation; rate "heavy")."""

    scope = "heavy"


class AuthRateThrottle(AnonRateThrottle):
    """Limit on credential checks (token endpoint), per client address (rate "auth")."""

    scope = "auth"


__all__ = [
    "AnonRateThrottle",
    "UserRateThrottle",
    "BurstRateThrottle",
    "HeavyRateThrottle",
    "AuthRateThrottle",
]
