"""The demo background task: count the primes below n on a db_worker.

It proves the whole path (page -> enqueue -> database -> `manage.py db_worker` -> result
-> page) with a job that is real work but needs neither the engine nor any data.
"""

from __future__ import annotations

import time

import numpy as np

from nnweb.core.tasks_api import task


def primes_below(n: int) -> np.ndarray:
    """All primes p < n, by the sieve of Eratosthenes (vectorised)."""
    if n < 3:
        return np.zeros(0, dtype=np.int64)
    is_prime = np.ones(n, dtype=bool)
    is_prime[:2] = False
    for p in range(2, int(n**0.5) + 1):
        if is_prime[p]:
            is_prime[p * p :: p] = False
    return np.flatnonzero(is_prime)


@task(queue_name="default")
def count_primes(n: int, owner: str = "") -> dict:
    """Count the primes below n; returns count, largest prime and the seconds it took.

    ``owner`` is not used here: it is kept with the job so that only whoever queued it reads it
    (nnweb.core.selectors.get_job)."""
    started = time.perf_counter()
    primes = primes_below(int(n))
    return {
        "n": int(n),
        "count": int(primes.size),
        "largest": int(primes[-1]) if primes.size else None,
        "seconds": round(time.perf_counter() - started, 4),
    }
