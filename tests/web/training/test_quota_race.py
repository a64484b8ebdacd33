"""The active-run quota holds when one student's creates arrive at the same moment.

Threads stand in for web processes: each has its own database connection and calls
create_run at once (a barrier). Only PostgreSQL can run them truly in parallel, so the test
runs in the scaled-out pass (DATABASE_URL=postgres…); SQLite serialises whole write
transactions (IMMEDIATE) and the lock there is the database's own.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from nnweb.training import services
from nnweb.training.models import TrainingRun

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (concurrent writers)"
    ),
]


def test_simultaneous_creates_respect_the_active_run_quota(student):
    n = 6
    barrier = threading.Barrier(n)
    results: list[str] = []

    def create() -> None:
        try:
            barrier.wait()
            services.create_run(student, builtin="iris", enqueue=False)
            results.append("created")
        except services.RunRejected as err:
            results.append(str(err))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results.count("created") == 1, results
    assert all("at a time" in r for r in results if r != "created")
    assert TrainingRun.objects.filter(owner=student).count() == 1
