"""Playground websocket benchmark (printed figures, never a timed test).

Starts a real uvicorn server (nnweb.asgi, one process) on a free loopback port with a private
SQLite database, then measures:

  Each measured twice, on two servers, the clients offering permessage-deflate as browsers do:
  a server that accepts it (uvicorn's default) and one that declines it, as ``make run`` serves
  (uvicorn --ws-per-message-deflate false; NNWEB_WS_DEFLATE=true accepts it).

  1. one client: round trip of one traced step ({"action": "step"}) of a 2-8-8-2 network,
     p50 / p99 (goal p50 <= 5 ms, p99 <= 20 ms). Reference measured in the same run: the round
     trip of the core ping consumer, and the service's own time in-process.
  2. 50 concurrent clients, each stepping at 10 steps per second: p99 and errors
     (goal p99 <= 100 ms, no errors).
  3. continuous training of 2-8-8-2 with the 64x64 heatmap and neuron thumbnails: frames per
     second delivered to one client on the wire, and drawn by the page in headless Chromium
     (--disable-gpu; the page counts drawn frames in body[data-frames-drawn]) (goal >= 60).
  4. what permessage-deflate costs per message: zlib (raw deflate with uvicorn's settings) on a
     traced step reply and on a binary frame, in-process, beside their sizes.

    .venv/bin/python benchmarks/playground_ws.py [--steps 500] [--clients 200] [--seconds 10]

With ``--scaled-out REDIS_URL`` it instead prints, in one run, the one-step round trip p50/p99
for 1 client and for ``--scale-clients`` (200) clients on an embedded server (one process, no
Redis) and on two uvicorn processes sharing every session through Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CONFIG = {"dataset": "xor", "hidden": [8, 8], "activations": ["tanh", "tanh"], "seed": 1}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


class Server:
    def __init__(
        self, workers: int = 1, redis_url: str | None = None, ws_deflate: bool = True
    ) -> None:
        self.workers = workers
        self.ws_deflate = ws_deflate  # whether the server accepts permessage-deflate
        self.tmp = tempfile.TemporaryDirectory(prefix="nnweb-bench-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "nnweb.settings",
            "NNWEB_VAR_DIR": self.tmp.name,
            "DATABASE_URL": f"sqlite:///{self.tmp.name}/bench.sqlite3",
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",  # plain http on loopback
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef",
            "THROTTLE_ANON": "100000/min",
            "THROTTLE_USER": "100000/min",
            "THROTTLE_BURST": "100000/min",
            "NNWEB_WS_MESSAGES_PER_SECOND": "100000",
            # every simulated client comes from 127.0.0.1 (in a class each is its own user)
            "NNWEB_WS_MAX_SOCKETS_PER_CLIENT": "100000",
        }
        self.env.pop("REDIS_URL", None)
        if redis_url:  # several processes share sessions through the Redis cache
            self.env["REDIS_URL"] = redis_url
        self.proc: subprocess.Popen | None = None
        # "deflate": the client offers permessage-deflate, as a browser does
        self.compression: str | None = "deflate"

    def __enter__(self) -> Server:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT, env=self.env, check=True,
        )  # fmt: skip
        subprocess.run(  # the page's scripts, for the browser measurement (DEBUG is off)
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT, env=self.env, check=True,
        )  # fmt: skip
        self.log = open(Path(self.tmp.name) / "uvicorn.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "nnweb.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--no-access-log",
             "--workers", str(self.workers),
             "--ws-per-message-deflate", "true" if self.ws_deflate else "false"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.time() + 180  # a loaded machine takes a while to import everything
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/playground/options/", timeout=20)
                return self
            except OSError:
                time.sleep(0.3)
        self.log.flush()
        text = (Path(self.tmp.name) / "uvicorn.log").read_text(errors="replace")[-3000:]
        self.__exit__(None, None, None)
        raise RuntimeError("server did not start:\n" + text)

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        self.tmp.cleanup()

    def new_session(self, config: dict) -> str:
        req = urllib.request.Request(
            f"{self.url}/api/playground/sessions/",
            data=json.dumps({"config": config}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())["session"]

    def ws(self, path: str):
        return websockets.connect(
            f"ws://127.0.0.1:{self.port}{path}",
            origin=f"http://127.0.0.1:{self.port}",
            max_size=2**24,
            compression=self.compression,
        )


async def round_trips(server: Server, n: int) -> tuple[list[float], list[float]]:
    sid = server.new_session(CONFIG)
    step, ping = [], []
    async with server.ws(f"/ws/playground/{sid}/") as ws:
        await ws.recv()  # hello
        for i in range(n + 20):
            t = time.perf_counter()
            await ws.send(json.dumps({"action": "step", "sample": i % 100, "id": i}))
            reply = json.loads(await ws.recv())
            if reply.get("type") != "stage":
                raise RuntimeError(f"unexpected reply {reply}")
            if i >= 20:
                step.append((time.perf_counter() - t) * 1000)
    async with server.ws("/ws/core/ping/") as ws:
        await ws.recv()
        for i in range(n + 20):
            t = time.perf_counter()
            await ws.send(json.dumps({"type": "ping", "id": i}))
            await ws.recv()
            if i >= 20:
                ping.append((time.perf_counter() - t) * 1000)
    return step, ping


async def concurrent(server: Server, clients: int, rate: float, seconds: float, sids=None):
    sids = sids or [server.new_session(CONFIG) for _ in range(clients)]
    lat: list[float] = []
    errors: list[str] = []

    async def one(sid: str, k: int) -> None:
        try:
            async with server.ws(f"/ws/playground/{sid}/") as ws:
                await ws.recv()
                await asyncio.sleep(k / clients / rate)  # spread the clients over a period
                t_end = time.perf_counter() + seconds
                i = 0
                nxt = time.perf_counter()
                while time.perf_counter() < t_end:
                    t = time.perf_counter()
                    await ws.send(json.dumps({"action": "step", "sample": i % 100, "id": i}))
                    reply = json.loads(await ws.recv())
                    if reply.get("type") != "stage":
                        errors.append(str(reply)[:200])
                    lat.append((time.perf_counter() - t) * 1000)
                    i += 1
                    nxt += 1.0 / rate
                    await asyncio.sleep(max(0.0, nxt - time.perf_counter()))
        except Exception as exc:  # noqa: BLE001 - counted and printed
            errors.append(f"{type(exc).__name__}: {exc}")

    await asyncio.gather(*(one(s, k) for k, s in enumerate(sids)))
    return lat, errors


async def play_fps(server: Server, seconds: float) -> tuple[float, int, float]:
    sid = server.new_session({**CONFIG, "fps": 60})
    frames = 0
    nbytes = 0
    async with server.ws(f"/ws/playground/{sid}/") as ws:
        await ws.recv()
        await ws.send(json.dumps({"action": "play", "id": 1}))
        t0 = None
        t_end = None
        while True:
            msg = await ws.recv()
            if isinstance(msg, bytes):
                if t0 is None:
                    t0 = time.perf_counter()
                    t_end = t0 + seconds
                    continue
                frames += 1
                nbytes += len(msg)
                if time.perf_counter() >= t_end:
                    break
        elapsed = time.perf_counter() - t0
        await ws.send(json.dumps({"action": "pause", "id": 2}))
    return frames / elapsed, nbytes // max(1, frames), elapsed


def browser_fps(server: Server, seconds: float) -> float | None:
    """Frames per second the page draws while playing, in headless Chromium (None without it)."""
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium.exists():
        return None
    query = "dataset=xor&hidden=8,8&activations=tanh&seed=1&fps=60"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=["--disable-gpu", "--no-sandbox"])
        page = b.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{server.url}/playground/?{query}")
        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        page.click("button[data-action='play']")
        # a function, not an expression string: the page's CSP forbids eval
        page.wait_for_function(
            "() => +(document.body.dataset.framesDrawn || 0) > 5", timeout=30_000
        )
        n0, t0 = int(page.evaluate("document.body.dataset.framesDrawn")), time.perf_counter()
        page.wait_for_timeout(seconds * 1000)
        n1, t1 = int(page.evaluate("document.body.dataset.framesDrawn")), time.perf_counter()
        page.click("button[data-action='play']")
        b.close()
    return (n1 - n0) / (t1 - t0)


def deflate_cost(n: int = 200) -> dict[str, tuple[float, int, int]]:
    """ms per message of raw deflate (permessage-deflate's zlib as uvicorn sets it up: 4 KiB
    window, memLevel 5, the default level) with sizes."""
    import zlib

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nnweb.settings")
    django.setup()
    from nnweb.playground import frames
    from nnweb.playground.actions import dispatch
    from nnweb.playground.session import PlaygroundSession

    s = PlaygroundSession.create(CONFIG)
    steps, frames_ = [], []
    for i in range(n):  # distinct messages, as a client receives them
        steps.append(frames.dumps(dispatch(s, {"action": "step", "sample": i % 100}).body))
        frames_.append(frames.encode_binary(*s.frame()))
    out = {}
    for name, batch in (("traced step reply (JSON)", steps), ("play frame (binary)", frames_)):
        # one context per connection, as the extension keeps
        c = zlib.compressobj(wbits=-12, memLevel=5)
        raw = packed = 0
        t = time.process_time()  # CPU time: the shared machine's load does not inflate it
        for data in batch:
            packed += len(c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH))
            raw += len(data)
        out[name] = ((time.process_time() - t) * 1000 / n, raw // n, packed // n)
    return out


def in_process(n: int) -> list[float]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nnweb.settings")
    django.setup()
    from nnweb.playground import frames
    from nnweb.playground.actions import dispatch
    from nnweb.playground.session import PlaygroundSession

    s = PlaygroundSession.create(CONFIG)
    out = []
    for i in range(n + 20):
        t = time.perf_counter()
        frames.dumps(dispatch(s, {"action": "step", "sample": i % 100}).body)
        if i >= 20:
            out.append((time.perf_counter() - t) * 1000)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (Linux /proc), 0 if unavailable."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def report(server: Server, args, label: str) -> None:
    step, ping = asyncio.run(round_trips(server, args.steps))
    sids = [server.new_session(CONFIG) for _ in range(args.clients)]  # not in the CPU figures
    s0, c0 = cpu_seconds(server.proc.pid), time.process_time()
    lat, errors = asyncio.run(concurrent(server, args.clients, args.rate, args.seconds, sids))
    s_cpu, c_cpu = cpu_seconds(server.proc.pid) - s0, time.process_time() - c0
    fps, frame_bytes, elapsed = asyncio.run(play_fps(server, min(args.seconds, 5.0)))
    drawn = None
    if server.ws_deflate:  # measured once, with what a browser negotiates by default
        try:
            drawn = browser_fps(server, 5.0)
        except Exception as exc:  # noqa: BLE001 - reported, the wire figures still stand
            print(f"  (the page's frame rate was not measured: {type(exc).__name__}: {exc})")
    p50, p99 = pct(step, 50), pct(step, 99)
    print(f"-- websocket compression: {label}")
    print(
        f"  reference: core ping round trip   : p50 {pct(ping, 50):.2f} ms"
        f"  p99 {pct(ping, 99):.2f} ms"
    )
    print(
        f"  1 client, traced step round trip : p50 {p50:.2f} ms  p99 {p99:.2f} ms"
        f"  (goal p50 <= 5, p99 <= 20: {'OK' if p50 <= 5 and p99 <= 20 else 'MISSED'})"
        f"  ratio to ping p50 {p50 / pct(ping, 50):.2f}x"
    )
    c99 = pct(lat, 99) if lat else float("nan")
    print(
        f"  {args.clients} clients x {args.rate:g} steps/s for {args.seconds:g} s: {len(lat)} steps"
        f" ({len(lat) / args.seconds:.0f}/s of {args.clients * args.rate:.0f}/s asked,"
        f" {100 * len(lat) / (args.seconds * args.clients * args.rate):.1f}% served),"
        f" p50 {pct(lat, 50):.2f} ms  p99 {c99:.2f} ms, errors {len(errors)}"
        f"  (goal p99 <= 100, no errors: {'OK' if c99 <= 100 and not errors else 'MISSED'})"
    )
    print(
        f"     CPU during that phase: server {s_cpu:.1f} s, benchmark clients {c_cpu:.1f} s"
        f" ({1000 * s_cpu / max(1, len(lat)):.2f} ms of server CPU per step)"
    )
    for e in errors[:5]:
        print("     error:", e)
    print(
        f"  continuous training, 64x64 heatmap + thumbnails: {fps:.1f} frames/s on the wire over"
        f" {elapsed:.1f} s, {frame_bytes / 1024:.1f} KiB per frame"
        f"  (goal >= 60: {'OK' if fps >= 60 else 'MISSED'})"
    )
    if drawn is not None:
        print(
            f"  the page in headless Chromium (--disable-gpu) drew {drawn:.1f} frames/s"
            f"  (goal >= 60: {'OK' if drawn >= 60 else 'MISSED'})"
        )


class Pair:
    """Two single-process servers on one database and one Redis, used as a round-robin proxy
    would: sessions are created on the first, websockets alternate (the first one opened
    goes to the other process than the one holding the session's creation)."""

    def __init__(self, a: Server, b: Server) -> None:
        self.a, self.b, self.opened = a, b, 0

    def new_session(self, config: dict) -> str:
        return self.a.new_session(config)

    def ws(self, path: str):
        self.opened += 1
        return (self.b if self.opened % 2 else self.a).ws(path)


def scale_report(args) -> None:
    """--scaled-out: the same steps on one embedded process and on two uvicorn processes
    sharing sessions through Redis (nnweb/playground/shared.py), one after the other."""
    for label in ("embedded: 1 process, no Redis", "scaled out: 2 processes + Redis"):
        if label.startswith("embedded"):
            with Server(1, None) as server:
                server.compression = None
                step, ping = asyncio.run(round_trips(server, args.steps))
                lat, errors = asyncio.run(
                    concurrent(server, args.scale_clients, args.scale_rate, args.seconds)
                )
        else:
            with Server(1, args.scaled_out) as a:
                b = Server(1, args.scaled_out)
                b.env["DATABASE_URL"] = a.env["DATABASE_URL"]
                with b:
                    a.compression = b.compression = None
                    step, ping = asyncio.run(round_trips(Pair(a, b), args.steps))
                    lat, errors = asyncio.run(
                        concurrent(Pair(a, b), args.scale_clients, args.scale_rate, args.seconds)
                    )
        print(f"-- {label}")
        print(
            f"  1 client, traced step round trip : p50 {pct(step, 50):.2f} ms"
            f"  p99 {pct(step, 99):.2f} ms  (ping p50 {pct(ping, 50):.2f} ms)"
        )
        c50 = pct(lat, 50) if lat else float("nan")
        c99 = pct(lat, 99) if lat else float("nan")
        print(
            f"  {args.scale_clients} clients x {args.scale_rate:g} steps/s for {args.seconds:g} s:"
            f" {len(lat)} steps, p50 {c50:.2f} ms  p99 {c99:.2f} ms, errors {len(errors)}",
            flush=True,
        )
        for e in errors[:5]:
            print("     error:", e)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--rate", type=float, default=10.0)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--compression", choices=["both", "deflate", "none"], default="both")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn processes (>1 needs --redis)")
    ap.add_argument(
        "--redis", default=None, help="REDIS_URL for the server, e.g. redis://127.0.0.1:6379/0"
    )
    ap.add_argument(
        "--scaled-out",
        default=None,
        metavar="REDIS_URL",
        help="compare embedded (1 process) with 2 processes sharing sessions through this Redis",
    )
    ap.add_argument("--scale-clients", type=int, default=200)
    ap.add_argument("--scale-rate", type=float, default=2.0, help="steps/s per client there")
    ap.add_argument(
        "--fps-only",
        action="store_true",
        help="only continuous training: frames/s on the wire and drawn by the page (deflate)",
    )
    args = ap.parse_args()

    load0 = os.getloadavg()[0]
    print("  uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    service = in_process(args.steps)
    print(
        f"playground websocket benchmark (2-8-8-2 on xor, {args.workers} uvicorn process(es),"
        f" loopback{', Redis' if args.redis else ''})"
    )
    print(
        f"  service in-process (step + orjson): p50 {pct(service, 50):.2f} ms"
        f"  p99 {pct(service, 99):.2f} ms"
    )
    for name, (ms, raw, packed) in deflate_cost().items():
        print(
            f"  permessage-deflate cost, {name}: {ms:.3f} ms CPU per message,"
            f" {raw / 1024:.1f} KiB -> {packed / 1024:.1f} KiB"
        )
    if args.scaled_out:
        scale_report(args)
        return
    if args.fps_only:
        with Server(args.workers, args.redis) as server:
            fps, frame_bytes, elapsed = asyncio.run(play_fps(server, min(args.seconds, 5.0)))
            drawn = browser_fps(server, 5.0)
        print(
            f"  continuous training, 64x64 heatmap + thumbnails: {fps:.1f} frames/s on the wire"
            f" over {elapsed:.1f} s, {frame_bytes / 1024:.1f} KiB per frame; the page in headless"
            f" Chromium (--disable-gpu) drew {drawn if drawn is None else round(drawn, 1)} frames/s"
        )
        uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        print("  uptime:", uptime)
        return
    if args.workers > 1 and not args.redis:
        ap.error("--workers > 1 needs --redis (sessions move between processes through it)")
    modes = ["deflate", "none"] if args.compression == "both" else [args.compression]
    for mode in modes:
        with Server(args.workers, args.redis, ws_deflate=mode == "deflate") as server:
            server.compression = "deflate"  # offered by the client either way, as browsers do
            label = (
                "permessage-deflate offered and accepted (uvicorn's default)"
                if mode == "deflate"
                else "permessage-deflate offered and declined (`make run`: uvicorn"
                " --ws-per-message-deflate false)"
            )
            report(server, args, label)
    after = os.getloadavg()[0]
    print(f"  load average before/after: {load0:.2f} / {after:.2f} on {os.cpu_count()} CPUs")
    print("  uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
