"""`make run` itself, on its embedded defaults: it serves, its worker is restarted when killed
(and it says so), a job queued afterwards runs, and SIGTERM stops the server and the worker.

Runs with the other multi-process tests (once per CI run). It gets its own NNWEB_VAR_DIR (so
its own SQLite database, media and secret key) and a free port; DATABASE_URL and REDIS_URL
are removed from its environment, as on a fresh machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import requests

from .conftest import ROOT, free_port


def _workers_of(var_dir: Path) -> set[int]:
    """Pids of `manage.py worker` processes started with this NNWEB_VAR_DIR."""
    pids = set()
    mark = f"NNWEB_VAR_DIR={var_dir}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"worker" in cmdline and any(a.endswith(b"manage.py") for a in cmdline):
            if mark in environ:
                pids.add(int(entry.name))
    return pids


def _wait(what: str, predicate, timeout: float, log: list[str]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout} s; make run printed:\n" + "".join(log[-40:]))


def test_make_run_restarts_its_worker_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(NNWEB_VAR_DIR=str(tmp_path), PORT=str(port), WORKER_RESTART_DELAY="0.5")
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the test can stop everything it made
    )
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(iter(proc.stdout.readline, "")))
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:

        def serving():
            try:
                return requests.get(base + "/", timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        _wait("make run serves /", serving, 120, log)
        (first,) = _wait("one worker runs", lambda: _workers_of(tmp_path), 30, log)

        os.kill(first, signal.SIGKILL)
        _wait(
            "make run says the worker exited and restarts it",
            lambda: any("background worker exited (status 137)" in line for line in log),
            15,
            log,
        )
        (second,) = _wait("a new worker runs", lambda: _workers_of(tmp_path) - {first}, 30, log)
        assert second != first

        # the restarted worker does the work: a job queued now finishes
        anon = requests.Session()
        r = anon.post(base + "/api/core/jobs/primes/", json={"n": 1000}, timeout=10)
        assert r.status_code == 202, r.text
        job = r.json()["id"]
        body = _wait(
            "the queued job finishes",
            lambda: (
                (b := anon.get(f"{base}/api/core/jobs/{job}/", timeout=10).json())["finished"] and b
            ),
            60,
            log,
        )
        assert body["status"] == "SUCCESSFUL", body
        assert body["result"]["count"] == 168, body  # primes below 1000

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)  # TimeoutExpired fails the test: make run must stop on TERM
        _wait("the worker stops with the server", lambda: not _workers_of(tmp_path), 10, log)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        reader.join(timeout=5)
