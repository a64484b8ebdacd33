"""Runs whose worker stopped: found by their heartbeat, failed, and their task rows closed.

The worker writes ``heartbeat_at`` with every progress write (at least every
``PROGRESS_INTERVAL`` s while it trains). A run still "running" whose heartbeat is older
than ``heartbeat_timeout()`` seconds (``NNWEB_TRAIN_HEARTBEAT_TIMEOUT``, default 30) is
**failed**, not re-queued: a run that killed its worker (out of memory, say) would kill the
next one too, and a student can start it again with one click. The reason on the run page
says what happened. Its django-tasks-db row, left RUNNING by the dead worker, is closed as
FAILED in the same sweep, and the run stops counting against its owner's quota at once.

Task rows without a run (a demo job) have no run heartbeat: each worker also writes its own
beat (``WorkerBeat``), and ``sweep_lost_tasks`` closes the RUNNING rows of workers whose
beat is older than the timeout. Only workers that beat are judged, so a plain ``db_worker``
(which never does) is left alone.

Every worker sweeps every few seconds (``worker`` command), so this happens within the
timeout even when nobody looks; listing or viewing runs, the run pages' sockets, a worker
starting a task and creating a run sweep too.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import TrainingRun, WorkerBeat

STALE_REASON = (
    "worker stopped responding (no heartbeat for {s:.0f} s): the run was stopped and marked "
    "failed; start it again"
)
LOST_TASK = "nnweb.training.heartbeat.WorkerLost"


class WorkerLost(RuntimeError):
    """Recorded on a task row whose worker died while running it."""


def heartbeat_timeout() -> float:
    lim = getattr(settings, "NNWEB_LIMITS", {}) or {}
    return float(lim.get("TRAIN_HEARTBEAT_TIMEOUT", 30))


def sweep_stale_runs(timeout: float | None = None, owner=None) -> int:
    """Fail running runs without a recent heartbeat and close their task rows.

    Returns how many runs were failed; ``owner`` limits the sweep to one user's runs.
    """
    timeout = heartbeat_timeout() if timeout is None else timeout
    now = timezone.now()
    stale = TrainingRun.objects.filter(
        status=TrainingRun.Status.RUNNING, heartbeat_at__lt=now - timedelta(seconds=timeout)
    )
    if owner is not None:
        stale = stale.filter(owner=owner)
    if not stale.exists():  # the common case: one indexed read, no write lock taken
        return 0
    reason = STALE_REASON.format(s=timeout)
    with transaction.atomic():
        rows = list(stale.values_list("pk", "task_id"))
        n = TrainingRun.objects.filter(
            pk__in=[pk for pk, _ in rows], status=TrainingRun.Status.RUNNING
        ).update(
            status=TrainingRun.Status.FAILED,
            reason=reason,
            finished_at=now,
            version=F("version") + 1,
        )
        close_task_rows([t for _, t in rows if t], reason)
    return n


def beat_worker(worker_id: str) -> None:
    """Record that ``worker_id`` is alive now."""
    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={"beat_at": timezone.now()})


def forget_worker(worker_id: str) -> None:
    """A worker that stops cleanly has finished its tasks: its beat is not needed."""
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def sweep_lost_tasks(timeout: float | None = None) -> int:
    """Close the RUNNING task rows of workers whose beat is older than ``timeout`` seconds;
    returns how many were closed. Runs are failed first (``sweep_stale_runs``), which closes
    their rows with the run's own reason."""
    timeout = heartbeat_timeout() if timeout is None else timeout
    dead = WorkerBeat.objects.filter(beat_at__lt=timezone.now() - timedelta(seconds=timeout))
    dead_ids = set(dead.values_list("worker_id", flat=True))
    if not dead_ids:
        return 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    lost = [
        pk
        for pk, workers in running.values_list("id", "worker_ids")
        if workers and workers[-1] in dead_ids
    ]
    n = close_task_rows(lost, f"worker stopped responding (no beat for {timeout:.0f} s)")
    dead.filter(worker_id__in=dead_ids).delete()
    return n


def close_task_rows(task_ids: list[str], reason: str) -> int:
    """Mark the RUNNING task rows ``task_ids`` failed (their worker is gone)."""
    if not task_ids:
        return 0
    return DBTaskResult.objects.filter(id__in=task_ids, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=LOST_TASK,
        traceback=f"{LOST_TASK}: {reason}\n",
        return_value=None,
    )


@contextmanager
def beating(run_id: int):
    """Write the run's heartbeat from a thread while the block runs.

    The trainer also beats with each progress write, but a run spends seconds where it
    writes nothing (importing and loading a dataset on a busy machine, evaluating a Mask
    R-CNN): a thread ties the heartbeat to the worker process being alive, which is what the
    sweep must detect, at a period well inside the timeout."""
    if connection.in_atomic_block:
        # Called inside a transaction (a test running the task in-process): another
        # connection would wait on its locks and cannot see its rows. Progress writes beat.
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(max(0.2, heartbeat_timeout() / 5)):
                try:
                    TrainingRun.objects.filter(pk=run_id, status=TrainingRun.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:  # busy: the next beat tries again
                    pass
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"heartbeat-run-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
