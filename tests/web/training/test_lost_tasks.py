"""Task rows without a run (a demo job) whose worker died are closed by the workers' beats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from nnweb.core import selectors as core_selectors
from nnweb.core import services as core
from nnweb.training.heartbeat import beat_worker, sweep_lost_tasks
from nnweb.training.models import WorkerBeat

pytestmark = pytest.mark.django_db


def _running_job(worker_id: str) -> str:
    job = core.enqueue_count_primes(100, "user:1")
    DBTaskResult.objects.filter(pk=job.id).update(
        status="RUNNING", worker_ids=[worker_id], started_at=timezone.now()
    )
    return str(job.id)


def test_a_dead_workers_job_is_closed_and_the_others_are_left_alone():
    dead, alive, plain = _running_job("w-dead"), _running_job("w-alive"), _running_job("w-plain")
    beat_worker("w-alive")
    WorkerBeat.objects.create(worker_id="w-dead", beat_at=timezone.now() - timedelta(seconds=60))
    # "w-plain" never beat (a plain db_worker): it is not judged

    assert sweep_lost_tasks(timeout=5) == 1

    row = DBTaskResult.objects.get(pk=dead)
    assert row.status == "FAILED" and row.finished_at is not None
    assert "WorkerLost" in row.exception_class_path
    assert "no beat for 5 s" in row.traceback
    assert DBTaskResult.objects.get(pk=alive).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=plain).status == "RUNNING"
    assert list(WorkerBeat.objects.values_list("worker_id", flat=True)) == ["w-alive"]
    # the job's page says it failed instead of "running" forever
    assert core_selectors.get_job(dead, "user:1").status == "FAILED"
    assert sweep_lost_tasks(timeout=5) == 0
