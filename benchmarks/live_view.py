"""Live lab view benchmark (printed figures, never a timed test).

Starts a real uvicorn server (the playground benchmark's harness: nnweb.asgi, private SQLite
database on loopback), makes a class of N students (default 200), opens each student's
playground websocket and the instructor's live view, then each student sends one update a
second (a mini-batch step, {"action": "batch"}) for --seconds.

Measured:
  - staleness: for every update, the time from the student's reply (the update applied) to
    the instructor's page holding a tile of that student at that iteration or later;
    p50 / p99 / max (goal p99 <= 1 s);
  - reference in the same run: the students' own round trip of the update;
  - messages and bytes the instructor's socket received (coalesced, small thumbnails);
  - the server's CPU (user + system seconds / wall seconds, all its processes), and per
    update (ms of server CPU per student update, the figure that carries over between machines).

The server serves as ``make run`` does: permessage-deflate, offered by the clients as browsers
do, is declined (uvicorn --ws-per-message-deflate false).

    .venv/bin/python benchmarks/live_view.py [--students 200] [--seconds 20] [--redis URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from playground_ws import Server, cpu_seconds, pct  # noqa: E402 - the shared harness

CONFIG = {"dataset": "xor", "hidden": [4], "seed": 1}
CSRF = "b" * 32  # double-submit: the same token as cookie and header

SETUP = r"""
import json, sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from nnweb.accounts.services import make_instructor
from nnweb.classes.models import Class

n = int(sys.argv[1])
User = get_user_model()

def make(name):
    u = User(username=name)
    u.set_unusable_password()
    return u

teacher = make("bench_teacher"); teacher.save(); make_instructor(teacher)
students = User.objects.bulk_create([make(f"bench_s{i:03d}") for i in range(n)])
students = list(User.objects.filter(username__startswith="bench_s").order_by("username"))
klass = Class.objects.create(name="Benchmark lab", created_by=teacher)
klass.instructors.add(teacher)
klass.students.add(*students)

def cookie(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key

print(json.dumps({"class": klass.pk, "teacher": cookie(teacher),
                  "students": [[u.pk, cookie(u)] for u in students]}))
"""


def setup(server: Server, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", SETUP, str(n)],
        cwd=ROOT, env=server.env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def ws(server: Server, path: str, session_key: str):
    import websockets

    return websockets.connect(
        f"ws://127.0.0.1:{server.port}{path}",
        origin=server.url,
        additional_headers={"Cookie": f"sessionid={session_key}"},
        max_size=2**24,
        compression=server.compression,
    )


async def new_session(server: Server, session_key: str) -> str:
    import urllib.request

    def post() -> str:
        req = urllib.request.Request(
            f"{server.url}/api/playground/sessions/",
            data=json.dumps({"config": CONFIG}).encode(),
            headers={
                "Content-Type": "application/json",
                "Cookie": f"sessionid={session_key}; csrftoken={CSRF}",
                "X-CSRFToken": CSRF,
            },
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())["session"]

    return await asyncio.to_thread(post)


class Instructor:
    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0
        # student id -> [(receive time, iteration)] in arrival order
        self.seen: dict[int, list[tuple[float, int]]] = {}

    async def run(self, sock, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(sock.recv(), 0.5)
            except TimeoutError:
                continue
            now = time.perf_counter()
            self.messages += 1
            self.bytes += len(raw)
            msg = json.loads(raw)
            for t in msg.get("tiles", []):
                self.seen.setdefault(t["student"], []).append((now, t["iteration"]))

    def held_at(self, student: int, iteration: int, after: float) -> float | None:
        """When the page first held a tile of ``student`` at ``iteration`` or later."""
        for when, it in self.seen.get(student, []):
            if it >= iteration and when >= after - 0.001:
                return when
        return None


async def student(server, key, sid, stop, updates, round_trips) -> None:
    async with ws(server, f"/ws/playground/{sid}/", key) as sock:
        await sock.recv()  # hello
        await asyncio.sleep(random.random())  # students are not in step
        mid = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            mid += 1
            await sock.send(json.dumps({"action": "batch", "id": mid}))
            while True:
                reply = json.loads(await sock.recv())
                if reply.get("id") == mid:
                    break
            t1 = time.perf_counter()
            round_trips.append(t1 - t0)
            updates.append((t1, reply["iteration"]))
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - t0)))


async def measure(server: Server, info: dict, seconds: float) -> dict:
    sids = await asyncio.gather(*(new_session(server, key) for _pk, key in info["students"]))
    inst = Instructor()
    stop = asyncio.Event()
    async with ws(server, f"/ws/classes/{info['class']}/live/", info["teacher"]) as view:
        listen = asyncio.create_task(inst.run(view, stop))
        per_student: dict[int, list[tuple[float, int]]] = {}
        round_trips: list[float] = []
        tasks = []
        for (pk, key), sid in zip(info["students"], sids):
            per_student[pk] = []
            tasks.append(
                asyncio.create_task(student(server, key, sid, stop, per_student[pk], round_trips))
            )
        await asyncio.sleep(3)  # everyone connected and sent a first update
        warm = time.perf_counter()
        cpu0 = cpu_seconds(server.proc.pid)
        await asyncio.sleep(seconds)
        cpu1 = cpu_seconds(server.proc.pid)
        wall = time.perf_counter() - warm
        end = time.perf_counter()
        await asyncio.sleep(2)  # let the last tiles arrive before stopping
        stop.set()
        ended = await asyncio.gather(*tasks, return_exceptions=True)
        await listen
    failed = [repr(e)[:160] for e in ended if isinstance(e, BaseException)]
    stale, missing = [], 0
    for pk, ups in per_student.items():
        for when, it in ups:
            if not warm <= when <= end:
                continue
            got = inst.held_at(pk, it, when)
            if got is None:
                missing += 1
            else:
                stale.append(got - when)
    return {
        "stale": stale,
        "missing": missing,
        "round_trips": [r for r in round_trips],
        "messages": inst.messages,
        "bytes": inst.bytes,
        "cpu": (cpu1 - cpu0) / wall,
        "cpu_s": cpu1 - cpu0,
        "wall": wall,
        "students_seen": len(inst.seen),
        "failed": failed,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--redis", default=None, help="REDIS_URL for the channel layer and cache")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn processes (>1 needs --redis)")
    args = ap.parse_args()
    if args.workers > 1 and not args.redis:
        ap.error("--workers > 1 needs --redis (the processes share the channel layer)")
    with Server(workers=args.workers, redis_url=args.redis, ws_deflate=False) as server:
        info = setup(server, args.students)
        r = asyncio.run(measure(server, info, args.seconds))
        server.log.flush()
        log_tail = (Path(server.tmp.name) / "uvicorn.log").read_text(errors="replace")[-1500:]
    n_up = len(r["stale"]) + r["missing"]
    ms = lambda xs, q: pct(xs, q) * 1000 if xs else float("nan")
    print(
        f"live view: {args.students} students x 1 update/s for {r['wall']:.1f} s "
        f"({'Redis' if args.redis else 'in-memory'} channel layer, "
        f"{args.workers} uvicorn process{'es' if args.workers > 1 else ''})"
    )
    print(f"  tiles of {r['students_seen']} students reached the instructor's page")
    if r["failed"]:
        print(f"  {len(r['failed'])} students' sockets failed, e.g. {r['failed'][0]}")
        print("  the server's log ends:\n" + log_tail)
    print(
        f"  staleness update -> instructor holds it: p50 {ms(r['stale'], 50):.0f} ms, "
        f"p99 {ms(r['stale'], 99):.0f} ms, max {max(r['stale'], default=0) * 1000:.0f} ms "
        f"over {n_up} updates, {r['missing']} never shown (goal p99 <= 1000 ms)"
    )
    print(f"  p99 / goal: {ms(r['stale'], 99) / 1000:.2f}")
    print(
        f"  reference, the student's own update round trip: p50 {ms(r['round_trips'], 50):.0f}"
        f" ms, p99 {ms(r['round_trips'], 99):.0f} ms"
    )
    print(
        f"  instructor socket: {r['messages'] / r['wall']:.1f} messages/s, "
        f"{r['bytes'] / r['wall'] / 1024:.1f} KiB/s"
    )
    print(
        f"  server CPU (all its processes): {r['cpu'] * 100:.0f}% of one core,"
        f" {1000 * r['cpu_s'] / max(1, n_up):.2f} ms per update"
    )
    print("  uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
