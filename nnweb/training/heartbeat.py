"""Runs whose worker stopped: found by their heartbeat and closed.

The worker writes ``heartbeat_at`` with every progress write; a run still "running"
whose heartbeat is older than ``heartbeat_timeout()`` seconds is marked failed
whenever runs are listed or viewed, by the run pages' sockets, and by each worker as
it starts a task.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import TrainingRun

STALE_REASON = "worker stopped responding (no heartbeat for {s:.0f} s); the run was stopped"


def heartbeat_timeout() -> float:
    lim = getattr(settings, "NNWEB_LIMITS", {}) or {}
    return float(lim.get("TRAIN_HEARTBEAT_TIMEOUT", 30))


def sweep_stale_runs(timeout: float | None = None) -> int:
    """Mark running runs without a recent heartbeat as failed; returns how many."""
    timeout = heartbeat_timeout() if timeout is None else timeout
    now = timezone.now()
    return TrainingRun.objects.filter(
        status=TrainingRun.Status.RUNNING, heartbeat_at__lt=now - timedelta(seconds=timeout)
    ).update(
        status=TrainingRun.Status.FAILED,
        reason=STALE_REASON.format(s=timeout),
        finished_at=now,
        version=F("version") + 1,
    )
