"""Core services: the demo background job (count primes below n); reading a job's state is
``selectors.get_job``."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from nnweb.core.tasks import count_primes
from nnweb.core.tasks_api import TaskResult


def max_primes_n() -> int:
    return int(settings.NNWEB_LIMITS.get("MAX_PRIMES_N", 5_000_000))


def validate_n(value: Any) -> int:
    """Parse n; raises ValueError saying what is wrong."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"n must be a whole number, got {value!r}.") from None
    if isinstance(value, float) and not float(value).is_integer():
        raise ValueError(f"n must be a whole number, got {value!r}.")
    limit = max_primes_n()
    if n < 2 or n > limit:
        raise ValueError(f"n must be between 2 and {limit}, got {n}.")
    return n


def owner_key(request) -> str:
    """Who queued a job: the signed-in user, else the visitor's session (created if need be).

    Job ids are handed out in URLs; the key keeps one visitor's jobs from another's eyes.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = request.session
    if session.session_key is None:
        session.save()
    return f"session:{session.session_key}"


def enqueue_count_primes(n: Any, owner: str) -> TaskResult:
    """Validate n and enqueue the job for a db_worker, remembering who queued it."""
    return count_primes.enqueue(n=validate_n(n), owner=owner)
