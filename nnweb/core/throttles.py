"""Throttle classes. Rates live in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] and are
set from THROTTLE_* environment variables. Anonymous and per-user throttles apply to every
API view by default; add a scoped one to expensive views:

    from nnweb.core.throttles import BurstRateThrottle, HeavyRateThrottle
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, HeavyRateThrottle]

The counters live in the default cache (Redis when REDIS_URL is set, so they hold across
several web processes).
"""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class BurstRateThrottle(UserRateThrottle):
    """Short-interval limit for interactive endpoints (rate "burst")."""

    scope = "burst"


class HeavyRateThrottle(UserRateThrottle):
    """Limit for endpoints that start real work (training, segmentation; rate "heavy")."""

    scope = "heavy"


__all__ = ["AnonRateThrottle", "UserRateThrottle", "BurstRateThrottle", "HeavyRateThrottle"]


class AuthRateThrottle(AnonRateThrottle):
    """Limit on credential checks (token endpoint), per client address (rate "auth")."""

    scope = "auth"


__all__ += ["AuthRateThrottle"]
