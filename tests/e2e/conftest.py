"""Real-browser tests: a live nnweb server and Debian's Chromium driven by pytest-playwright.

Fixtures (use them in tests/e2e/; every test here is marked `e2e` automatically):

    nnweb_server   session: a live ASGI server (uvicorn nnweb.asgi, HTTP + websockets) on a
                   free 127.0.0.1 port with its own SQLite database file (migrated first),
                   DEBUG on, and one `manage.py db_worker` beside it. Attributes/methods:
                     .url                    "http://127.0.0.1:<port>"
                     .var_dir                its private var/ folder (database, media)
                     .env                    the environment both processes run with
                     .manage(*args)          run a manage.py command against its database
                                             (returns stdout; raises with output on failure)
                     .create_user(name, password, instructor=False)
                     .create_users(password, students=(...), instructors=(...))
    base_url       session: nnweb_server.url, so `page.goto("/lessons/")` works
    page           a Playwright page (new context per test) with the guard attached
    page_guard     the guard of `page`:
                     .external_requests      requests that tried to leave 127.0.0.1
                                             (they are aborted, never sent)
                     .console_errors         console errors and uncaught page errors
                     .allow_console(regex)   ignore matching console errors (e.g. an
                                             expected 403: r"status of 403")
                     .assert_clean()         assert both lists are empty
                   At teardown every test using `page` fails if a request tried to leave
                   127.0.0.1 or an unexpected console error happened.
    login(page, username, password)   helper fixture: logs in through the login form.

Chromium: /usr/bin/chromium (apt-get install chromium) with the flags in LAUNCH_ARGS.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1"}
STARTUP_TIMEOUT_S = 120  # the first /api/schema/ build takes tens of seconds on a busy machine


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, n: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except FileNotFoundError:
        return ""


class LiveServer:
    def __init__(self, base_dir: Path):
        self.base_dir = base_dir
        self.var_dir = base_dir / "var"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "nnweb.settings",
                "DEBUG": "1",
                "NNWEB_VAR_DIR": str(self.var_dir),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "PYTHONUNBUFFERED": "1",
                # Generous API rates: browser tests click fast.
                "THROTTLE_ANON": "10000/min",
                "THROTTLE_USER": "10000/min",
                # Every browser context comes from 127.0.0.1, so every anonymous page shares one
                # socket count: the per-client cap (tested in tests/web) would refuse the crawl's
                # pages at random, depending on how fast closed sockets are counted off.
                "NNWEB_WS_MAX_SOCKETS_PER_CLIENT": "1000",
            }
        )
        self.env = env
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def manage(self, *args: str, timeout: float = 120) -> str:
        proc = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed ({proc.returncode}):\n"
                f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        return proc.stdout

    def create_user(self, username: str, password: str, instructor: bool = False) -> None:
        roles = {"instructors" if instructor else "students": (username,)}
        self.create_users(password, **roles)

    def create_users(self, password: str, *, students=(), instructors=()) -> None:
        """Create (or reset) these accounts, all with this password, in one manage.py process:
        each process costs about 2 s of CPU to start."""
        accounts = [(name, False) for name in students] + [(name, True) for name in instructors]
        code = (
            "from nnweb.accounts.services import ensure_user\n"
            f"for name, instructor in {accounts!r}:\n"
            f"    ensure_user(name, {password!r}, instructor=instructor)\n"
        )
        self.manage("shell", "-c", code)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = self.base_dir / f"{name}.log"
        self.logs.append(log)
        handle = open(log, "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            args, cwd=REPO_ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT
        )
        proc._nnweb_log_handle = handle  # type: ignore[attr-defined]
        self.processes.append(proc)
        return proc

    def start(self) -> None:
        self.manage("migrate", "--noinput", "-v", "0")
        server = self._spawn(
            "uvicorn",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "nnweb.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--lifespan",
                "off",
            ],
        )
        self._spawn(
            "db_worker",
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-startup-delay",
            ],
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if server.poll() is not None:
                raise RuntimeError(
                    f"uvicorn exited with {server.returncode}:\n{_tail(self.logs[0])}"
                )
            try:
                with urllib.request.urlopen(self.url + "/api/schema/", timeout=30) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"nnweb did not answer on {self.url} within {STARTUP_TIMEOUT_S}s:\n"
                    f"{_tail(self.logs[0])}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            proc._nnweb_log_handle.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def nnweb_server():
    manifest = REPO_ROOT / "frontend/static/frontend/build/.vite/manifest.json"
    if not manifest.exists():
        pytest.fail("The front end is not built: run `npm ci && npm run build` (make test does).")
    base_dir = Path(tempfile.mkdtemp(prefix="nnweb-e2e-"))
    server = LiveServer(base_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def base_url(nnweb_server) -> str:
    return nnweb_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": LAUNCH_ARGS,
    }


class PageGuard:
    def __init__(self) -> None:
        self.external_requests: list[str] = []
        self.console_errors: list[str] = []
        self._allowed: list[re.Pattern[str]] = []

    def allow_console(self, pattern: str) -> None:
        self._allowed.append(re.compile(pattern))

    def _allowed_message(self, text: str) -> bool:
        return any(p.search(text) for p in self._allowed)

    def on_console(self, message) -> None:
        if message.type == "error":
            location = message.location or {}
            self.console_errors.append(f"{message.text} ({location.get('url', '?')})")

    def on_page_error(self, error) -> None:
        self.console_errors.append(f"uncaught: {error}")

    def unexpected_console_errors(self) -> list[str]:
        return [e for e in self.console_errors if not self._allowed_message(e)]

    def route(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external_requests.append(url)
            route.abort()

    def assert_clean(self) -> None:
        assert not self.external_requests, (
            f"requests tried to leave 127.0.0.1: {self.external_requests}"
        )
        unexpected = self.unexpected_console_errors()
        assert not unexpected, f"console errors: {unexpected}"


@pytest.fixture
def page_guard() -> PageGuard:
    return PageGuard()


@pytest.fixture
def page(context, page_guard):
    context.route("**/*", page_guard.route)
    # Websockets are not routed by context.route: check them on creation.
    new_page = context.new_page()
    new_page.on("console", page_guard.on_console)
    new_page.on("pageerror", page_guard.on_page_error)

    def on_websocket(ws) -> None:
        host = urlsplit(ws.url).hostname
        if host not in LOCAL_HOSTS:
            page_guard.external_requests.append(ws.url)

    new_page.on("websocket", on_websocket)

    def on_request(request) -> None:
        host = urlsplit(request.url).hostname
        if urlsplit(request.url).scheme in {"http", "https", "ws", "wss"} and host not in (
            LOCAL_HOSTS
        ):
            if request.url not in page_guard.external_requests:
                page_guard.external_requests.append(request.url)

    new_page.on("request", on_request)
    yield new_page
    page_guard.assert_clean()


@pytest.fixture
def login():
    def _login(page, username: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form.form button[type=submit]")

    return _login
