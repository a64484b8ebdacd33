"""Fuzz the REST API with schemathesis against a live server, as each role.

One live nnweb (uvicorn + db_worker, its own SQLite file: tests/e2e/conftest.py's LiveServer)
with the throttle rates raised (throttles have their own tests); schemathesis' CLI generates
requests from /api/schema/ and checks every answer:

- not_a_server_error            no 5xx, whatever the input
- status_code_conformance       every status the API answers is documented
- response_schema_conformance   every documented body matches its schema

It runs as anonymous, student and instructor (API tokens). The figures schemathesis prints
(operations, test cases, failures) are echoed to the test's output. Run it alone with

    .venv/bin/python -m pytest tests/fuzz -q -s

It lives outside tests/web on purpose: CI's PostgreSQL pass runs tests/web only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.e2e import conftest as e2e
from tests.e2e.conftest import LiveServer

CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
# Examples per operation and phases: sized so that the three roles take about two minutes.
MAX_EXAMPLES = int(os.environ.get("NNWEB_FUZZ_EXAMPLES", "4"))
PHASES = os.environ.get("NNWEB_FUZZ_PHASES", "examples,fuzzing")
# Where to keep each role's full schemathesis output (besides the test's own tmp folder).
LOG_DIR = os.environ.get("NNWEB_FUZZ_LOG_DIR")
PASSWORD = "fuzz-Pass-2026"
# Operations not fuzzed yet, each with the reason (none today: every operation, lessons
# included, must be clean). Add a pattern only with its reason, and remove it once its app is.
NOT_YET_CLEAN: list[str] = []
# An internal error of the generator (CPython 3.11's ast under deep recursion), seen twice
# in about ten runs, on POST /api/accounts/token/: not a response of nnweb's.
TOOL_CRASH = "AST constructor recursion depth mismatch"
RAISED_RATES = {
    f"THROTTLE_{scope}": "100000/min" for scope in ("ANON", "USER", "BURST", "HEAVY", "AUTH")
}


@pytest.fixture(scope="module")
def fuzz_server():
    base_dir = Path(tempfile.mkdtemp(prefix="nnweb-fuzz-"))
    server = LiveServer(base_dir)
    server.env.update(RAISED_RATES)
    # The first schema request builds the whole schema: give a loaded machine time for it.
    e2e.STARTUP_TIMEOUT_S = max(e2e.STARTUP_TIMEOUT_S, 240)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


def token_of(server: LiveServer, username: str, instructor: bool) -> str:
    code = (
        "from nnweb.accounts.services import ensure_user, token_for; "
        f"print(token_for(ensure_user({username!r}, {PASSWORD!r}, instructor={instructor!r})))"
    )
    return server.manage("shell", "-c", code).strip().splitlines()[-1]


def summary(output: str) -> str:
    """The figures of schemathesis' closing summary (operations, test cases, failures)."""
    keep = re.compile(r"(API Operations|Test Phases|Test cases|Failures|Errors|passed|failed)")
    return "\n".join(line for line in output.splitlines() if keep.search(line))


@pytest.mark.parametrize("role", ["anonymous", "student", "instructor"])
def test_api_fuzz_is_clean(fuzz_server, role, tmp_path):
    headers: list[str] = []
    if role != "anonymous":
        token = token_of(fuzz_server, f"fuzz-{role}", instructor=role == "instructor")
        headers = ["-H", f"Authorization: Token {token}"]
    st = Path(sys.executable).with_name("st")
    cmd = [
        str(st),
        "run",
        f"{fuzz_server.url}/api/schema/",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--phases",
        PHASES,
        "--seed",
        "1",
        "--workers",
        "2",
        "--no-shrink",
        "--no-color",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--generation-database",
        "none",
        # One option with the patterns joined: the CLI keeps only the last of repeated ones
        # (and none at all once every app is clean: an empty pattern would match every path).
        *(
            ["--exclude-path-regex", "|".join(f"({pattern})" for pattern in NOT_YET_CLEAN)]
            if NOT_YET_CLEAN
            else []
        ),
        "--report-dir",
        str(tmp_path),
        *headers,
    ]

    def run():
        proc = subprocess.run(
            # Run in the test's folder: schemathesis keeps a .schemathesis/ cache in its cwd.
            cmd,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            env=os.environ.copy(),
        )
        return proc, proc.stdout + proc.stderr

    proc, output = run()
    if proc.returncode != 0 and TOOL_CRASH in output:
        # CPython 3.11's ast can raise this SystemError inside the test generator itself
        # (not in a request, not in nnweb): run once more; a second crash or any real failure
        # still fails the test.
        print(f"\n--- schemathesis as {role}: the generator crashed ({TOOL_CRASH}); again ---")
        proc, output = run()
    if LOG_DIR:
        Path(LOG_DIR, f"schemathesis-{role}.log").write_text(output)
    print(f"\n--- schemathesis as {role} ---\n{summary(output)}")
    assert proc.returncode == 0, output[-12000:]
