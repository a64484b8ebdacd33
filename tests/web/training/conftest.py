"""Fixtures of the training tests: a private media folder, an uploaded CSV dataset and real
``manage.py worker`` subprocesses on the test database."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def iris_csv() -> bytes:
    from sklearn.datasets import load_iris

    data = load_iris()
    lines = ["sepal_length,sepal_width,petal_length,petal_width,species"]
    for row, t in zip(data.data, data.target):
        lines.append(",".join(f"{v:g}" for v in row) + "," + str(data.target_names[t]))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def iris_dataset(instructor):
    from nnweb.datasets.services import import_dataset

    f = io.BytesIO(iris_csv())
    f.name = "iris.csv"
    return import_dataset(instructor, f, name="Iris", target="species", visibility="students")


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        name = s["NAME"]
        if not name or ":memory:" in str(name) or "mode=memory" in str(name):
            pytest.fail("the SQLite test database must be a file (settings DATABASES TEST NAME)")
        return f"sqlite:///{name}"
    if connection.vendor == "postgresql":
        auth = quote(s.get("USER") or "", safe="")
        if s.get("PASSWORD"):
            auth += ":" + quote(s["PASSWORD"], safe="")
        return (
            f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"
        )
    pytest.skip(f"no worker test for the {connection.vendor} backend")


@pytest.fixture
def worker(transactional_db, _media, tmp_path):
    """Start worker subprocesses on the test database; kill them all at teardown."""
    procs: list[subprocess.Popen] = []

    def start(queue: str = "*", **extra_env: str) -> subprocess.Popen:
        env = {
            **os.environ,
            **extra_env,
            "DJANGO_SETTINGS_MODULE": "nnweb.settings",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(_media),
            "PYTHONUNBUFFERED": "1",
        }
        log = open(tmp_path / f"worker-{len(procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "worker",
                "--queue-name",
                queue,
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
                "--verbosity",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        proc.log_path = tmp_path / f"worker-{len(procs)}.log"
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def worker_log(proc) -> str:
    try:
        return proc.log_path.read_text(errors="replace")[-3000:]
    except OSError:
        return ""
