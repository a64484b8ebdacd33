"""Core reads: the state of a demo background job (nnweb.core.tasks.count_primes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
