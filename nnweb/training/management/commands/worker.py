"""``manage.py worker``: django-tasks-db's ``db_worker``, made to survive a busy database.

Same options as ``db_worker`` (``--queue-name '*'``, ``--interval``…). What it adds, and why
it subclasses rather than replaces the package's worker (whose claiming and result-recording
logic is the part to trust):

* **Transient database errors do not end the process.** ``db_worker`` opens an exclusive
  transaction to claim a task outside its own error handling, and records results with only
  three quick retries, so a write lock held longer than SQLite's busy timeout (or a
  PostgreSQL restart) makes it exit, and jobs queued afterwards wait forever. Here such an
  error (``nnweb.core.db_busy.is_db_busy``) is logged and the loop restarts after an
  exponential backoff (0.5 s doubling to 15 s); recording a task's result is retried the same
  way, so a finished task's row does not stay RUNNING. Anything else still ends the worker.
* **Runs of dead workers are recovered** (``nnweb.training.heartbeat``): a thread sweeps
  every ``heartbeat_timeout() / 4`` s, so a run whose worker was killed is failed, and its
  task row closed, within the timeout even while this worker trains something else. The same
  thread writes this worker's own beat, and closes the task rows (demo jobs) of workers whose
  beat stopped.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from nnweb.core.db_busy import FIRST_DELAY, MAX_DELAY, is_db_busy, reset_connections, retrying
from nnweb.training.heartbeat import (
    beat_worker,
    forget_worker,
    heartbeat_timeout,
    sweep_lost_tasks,
    sweep_stale_runs,
)

# The worker speaks through db_worker's own logger, whose level its --verbosity sets: the
# command's lines appear (or not) with the ones db_worker writes for the same worker.
logger = logging.getLogger("django_tasks_db")

RECORD_GIVE_UP = 600.0  # s of retrying a task's result before giving up on the row


class ResilientWorker(Worker):
    def run(self) -> None:
        threading.Thread(target=self.sweep_forever, name="nnweb-sweeper", daemon=True).start()
        delay = FIRST_DELAY
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                try:
                    forget_worker(self.worker_id)
                except Exception:  # noqa: BLE001 - a stale beat is swept by the others
                    logger.warning("Worker %s: could not remove its beat", self.worker_id)
                return
            except Exception as err:
                if not is_db_busy(err) or not self.running:
                    raise
                if time.monotonic() - started > 60:
                    delay = FIRST_DELAY  # the last trouble is long past: start small again
                logger.warning(
                    "Worker %s: database busy or unreachable (%s); retrying in %.1f s",
                    self.worker_id,
                    err,
                    delay,
                )
                reset_connections()
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY)

    def run_task(self, db_task_result) -> None:
        for name in ("set_successful", "set_failed"):
            method = getattr(db_task_result, name)
            setattr(
                db_task_result,
                name,
                retrying(method, f"task {db_task_result.id} {name}", RECORD_GIVE_UP),
            )
        super().run_task(db_task_result)

    def sweep_forever(self) -> None:
        while self.running:
            try:
                beat_worker(self.worker_id)
                n = sweep_stale_runs()
                if n:
                    logger.warning("Failed %d run(s) whose worker stopped responding", n)
                n = sweep_lost_tasks()
                if n:
                    logger.warning("Closed %d task(s) whose worker stopped responding", n)
            except Exception as err:  # busy now: the next sweep tries again
                if not is_db_busy(err):
                    logger.exception("sweeping stale runs failed")
            finally:
                close_old_connections()
            time.sleep(max(0.5, heartbeat_timeout() / 4))


class Command(DBWorkerCommand):
    help = "Run a database background worker that survives a busy database (see module doc)"

    def handle(self, **options) -> None:
        # db_worker builds its Worker inside handle(); swap the class for this call only.
        original = db_worker.Worker
        db_worker.Worker = ResilientWorker
        try:
            super().handle(**options)
        finally:
            db_worker.Worker = original
