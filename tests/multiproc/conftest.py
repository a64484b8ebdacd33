"""Two uvicorn processes and two workers on PostgreSQL + Redis, started for this module.

Runs only when NNWEB_MULTIPROC=1 (`.ci/run` sets it after the scaled-out tests/web pass, so
these tests run once per CI run), with DATABASE_URL (PostgreSQL) and REDIS_URL. The test
database (NNWEB_MULTIPROC_DB, default nnweb_scale_multiproc) is created next to the one in
DATABASE_URL, migrated, and dropped at the end.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
HEARTBEAT_TIMEOUT = 5

ENABLED = os.environ.get("NNWEB_MULTIPROC") == "1"


def pytest_collection_modifyitems(config, items):
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="multi-process tests: set NNWEB_MULTIPROC=1 (.ci/run does)")
    for item in items:
        if "tests/multiproc" in str(item.fspath):
            item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SETUP = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from rest_framework.authtoken.models import Token
from nnweb.accounts.services import ensure_user
out = {}
for name, instructor in (("alice", False), ("bob", False), ("irene", True)):
    u = ensure_user(name, "pw-" + name + "-123456", instructor=instructor)
    out[name] = Token.objects.get_or_create(user=u)[0].key
print("TOKENS" + json.dumps(out))
"""


@dataclass
class Cluster:
    env: dict
    servers: list = field(default_factory=list)  # (proc, port)
    workers: list = field(default_factory=list)
    tokens: dict = field(default_factory=dict)
    logs: Path | None = None

    def url(self, i: int, path: str) -> str:
        return f"http://127.0.0.1:{self.servers[i % len(self.servers)][1]}{path}"

    def ws(self, i: int, path: str) -> str:
        return f"ws://127.0.0.1:{self.servers[i % len(self.servers)][1]}{path}"

    def api(self, user: str | None = None) -> requests.Session:
        s = requests.Session()
        if user:
            s.headers["Authorization"] = f"Token {self.tokens[user]}"
        return s

    def start_server(self) -> tuple:
        port = free_port()
        log = open(self.logs / f"server-{port}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "nnweb.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.servers.append((proc, port))
        return proc, port

    def start_worker(self) -> subprocess.Popen:
        n = len(self.workers)
        log = open(self.logs / f"worker-{n}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        proc.log_path = self.logs / f"worker-{n}.log"
        self.workers.append(proc)
        return proc

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        for proc, port in self.servers:
            while True:
                try:
                    if requests.get(f"http://127.0.0.1:{port}/api/", timeout=20).status_code < 500:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                assert proc.poll() is None, f"server on {port} exited"
                assert time.monotonic() < deadline, f"server on {port} never answered"
                time.sleep(0.2)


def _admin_url(database_url: str, name: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not ENABLED:
        pytest.skip("NNWEB_MULTIPROC is not set")
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not base.startswith("postgres") or not redis_url:
        pytest.fail("the multi-process tests need DATABASE_URL=postgres://… and REDIS_URL")
    name = os.environ.get("NNWEB_MULTIPROC_DB", "nnweb_scale_multiproc")
    admin, db_url = _admin_url(base, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    logs = tmp_path_factory.mktemp("multiproc")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nnweb.settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "DEBUG": "1",
        "MEDIA_ROOT": str(logs / "media"),
        "NNWEB_TRAIN_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
        "PYTHONUNBUFFERED": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("TOKENS"))
    c = Cluster(env=env, tokens=json.loads(line[len("TOKENS") :]), logs=logs)
    try:
        c.start_server()
        c.start_server()
        c.start_worker()
        c.start_worker()
        c.wait_ready()
        yield c
    finally:
        for proc in [p for p, _ in c.servers] + c.workers:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
