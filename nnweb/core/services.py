"""Core services: the demo background job (count primes below n)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from nnweb.core.tasks import count_primes
from nnweb.core.tasks_api import (
    TaskResult,
    TaskResultDoesNotExist,
    TaskResultMismatch,
    TaskResultStatus,
)


class JobNotFound(LookupError):
    pass


@dataclass
class JobView:
    id: str
    status: str
    finished: bool
    n: int | None
    result: dict | None
    error: str | None
    enqueued_at: Any
    started_at: Any
    finished_at: Any

    def as_dict(self) -> dict:
        def iso(value):
            return value.isoformat() if value is not None else None

        return {
            "id": self.id,
            "status": self.status,
            "finished": self.finished,
            "n": self.n,
            "result": self.result,
            "error": self.error,
            "enqueued_at": iso(self.enqueued_at),
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
        }


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


def _view(result: TaskResult) -> JobView:
    value = None
    error = None
    if result.status == TaskResultStatus.SUCCESSFUL:
        value = result.return_value
    elif result.status == TaskResultStatus.FAILED:
        last = result.errors[-1] if result.errors else None
        error = last.exception_class_path if last else "The job failed."
    return JobView(
        id=str(result.id),
        status=str(result.status.value if hasattr(result.status, "value") else result.status),
        finished=result.is_finished,
        n=result.kwargs.get("n"),
        result=value,
        error=error,
        enqueued_at=result.enqueued_at,
        started_at=result.started_at,
        finished_at=result.finished_at,
    )


def get_job(job_id: str, owner: str | None) -> JobView:
    """The state of a demo job queued by ``owner`` (an :func:`owner_key`); ``None`` skips the
    check (server-side callers only). Someone else's job reads as missing, not forbidden, so an
    id does not even confirm that a job exists."""
    try:
        result = count_primes.get_result(str(job_id))
    except (TaskResultDoesNotExist, TaskResultMismatch, ValueError):
        raise JobNotFound(f"No prime-counting job {job_id}.") from None
    if owner is not None and result.kwargs.get("owner") != owner:
        raise JobNotFound(f"No prime-counting job {job_id}.")
    return _view(result)
