"""The live lab view: students' playground states flowing to their instructors, over groups of
the channel layer (so it works across several ASGI processes with Redis).

Groups, per class:
    ``classes.live.<class id>``      the instructors' open live views (tiles arrive here)
    ``classes.students.<class id>``  the students' open playgrounds ("send to class" goes here)

A student's playground publishes a *tile* (decision boundary thumbnail, test accuracy,
iteration, stage) at most once per ``PUBLISH_SECONDS`` (a change inside the window goes out at
its end). Tiles are coalesced per process: each web process keeps the latest tile of each of
its students and, once per ``TICK_SECONDS``, sends every class one group message with the tiles
that changed (``classes.tiles``), so a class of 200 costs the channel layer a few messages a
second per process instead of one per update, and never nears the Redis layer's 100 messages
waiting per channel. The latest tile of each student is also kept in the cache (written in the
same tick, before the message), so that a live view opened later (in any process) starts
complete, and so that the server knows which playground session is the student's current one
(challenges check it).

``PlaygroundLiveMixin`` is what the playground's consumer mixes in: four calls
(connect / publish / disconnect, and the ``classes_setup`` handler) are its whole hook.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
import weakref

import numpy as np
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.core.cache import cache

logger = logging.getLogger(__name__)

THUMB_SIDE = 16  # the decision boundary thumbnail is 16 x 16 bytes (344 characters base64)
# At most two tiles a second per student; an update inside the window is sent at its end
# (trailing edge), so the live view is never more than this behind a student's last change.
PUBLISH_SECONDS = 0.5
# A process sends its students' new tiles to each class once per tick (see _Outbox).
TICK_SECONDS = 0.2
TILE_TTL = 6 * 3600
CACHE_PREFIX = "nnweb:classes:tile:"


def live_group(class_id: int) -> str:
    return f"classes.live.{class_id}"


def students_group(class_id: int) -> str:
    return f"classes.students.{class_id}"


def _u8(x: np.ndarray) -> str:
    return base64.b64encode(np.clip(np.round(x * 255), 0, 255).astype(np.uint8).tobytes()).decode()


def _thumb_rows(n_points: int) -> np.ndarray:
    """Rows of the heatmap's G x G grid inputs (row-major, G = sqrt(n_points)) at every
    (G // THUMB_SIDE)-th point each way: a tile forwards these THUMB_SIDE^2 points only, not
    the whole heatmap grid (16 times fewer at G = 64), for the same picture."""
    g = int(round(n_points**0.5))
    idx = np.arange(g)[:: max(1, g // THUMB_SIDE)][:THUMB_SIDE]
    return (idx[:, None] * g + idx[None, :]).ravel()


def thumbnail(session) -> dict | None:
    """The session's decision boundary at THUMB_SIDE^2 (2-D data): for two classes P(class 1),
    for more the winning class scaled to 0..1, for regression the output rescaled to 0..1. For
    1-D data the fitted curve at THUMB_SIDE points."""
    with session.lock:
        if session.grid_inputs is None:
            if session.curve_x is None:
                return None
            xs = session.curve_x[:: max(1, len(session.curve_x) // THUMB_SIDE)][:THUMB_SIDE]
            y = session.net.forward(xs[:, None])[:, 0]
            kind = "curve"
        else:
            small = session.net.forward(session.grid_inputs[_thumb_rows(len(session.grid_inputs))])
            side = int(round(len(small) ** 0.5))
            small = small.T.reshape(-1, side, side)
            if session.net.loss == "cross_entropy":
                y = small[1] if len(small) == 2 else small.argmax(0) / max(1, len(small) - 1)
                kind = "classes"
            else:
                y = small[0]
                kind = "values"
    y = np.nan_to_num(np.asarray(y, dtype=np.float64), nan=0.0, posinf=1e6, neginf=-1e6)
    if kind != "classes":
        lo, hi = float(y.min()), float(y.max())
        y = (y - lo) / (hi - lo) if hi > lo else np.zeros_like(y)
    return {"kind": kind, "side": THUMB_SIDE, "data": _u8(y)}


def _stage(session) -> str:
    if session.playing:
        return "playing"
    return session.phase  # idle | forward | backward | updated


def tile(user, session) -> dict:
    """One student's tile, from their live session (computed on the server)."""
    m = session.evaluate()
    acc = m.get("test_acc")
    return {
        "student": user.pk,
        "username": user.get_username(),
        "session": session.id,
        "dataset": session.config.dataset,
        "hidden": list(session.config.hidden),
        "iteration": session.iteration,
        "stage": _stage(session),
        "test_accuracy": None if acc is None or not np.isfinite(acc) else float(acc),
        "test_loss": None if not np.isfinite(m["test_loss"] or 0.0) else m["test_loss"],
        "thumb": thumbnail(session),
        "t": time.time(),
    }


def store_tile(t: dict) -> None:
    store_tiles([t])


def store_tiles(tiles: list[dict]) -> None:
    """Keep each student's latest tile in the cache (one round trip with Redis)."""
    try:
        cache.set_many({CACHE_PREFIX + str(t["student"]): t for t in tiles}, timeout=TILE_TTL)
    except Exception:  # noqa: BLE001 - a live view is a convenience; never break the playground
        students = ", ".join(str(t["student"]) for t in tiles)
        logger.warning("live view: tiles of students %s not stored", students, exc_info=True)


def latest_tile(student_id: int) -> dict | None:
    try:
        return cache.get(CACHE_PREFIX + str(student_id))
    except Exception:  # noqa: BLE001
        logger.warning("live view: tile of student %s not read", student_id, exc_info=True)
        return None


def latest_tiles(student_ids) -> dict[int, dict]:
    keys = {CACHE_PREFIX + str(i): i for i in student_ids}
    try:
        found = cache.get_many(list(keys))
    except Exception:  # noqa: BLE001
        logger.warning("live view: tiles of %d students not read", len(keys), exc_info=True)
        return {}
    return {keys[k]: v for k, v in found.items()}


def latest_session_id(student) -> str | None:
    """The playground session the student had open last (recorded by their own websocket)."""
    t = latest_tile(student.pk)
    return t["session"] if t else None


def student_class_ids(user) -> list[int]:
    if user is None or not user.is_authenticated:
        return []
    return list(user.enrolled_classes.values_list("pk", flat=True))


class _Outbox:
    """The tiles this process's students published since the last tick, the latest per student
    and class; the first one starts the tick, at whose end they are stored in the cache and
    sent, one group message per class."""

    def __init__(self, layer) -> None:
        self.layer = layer
        self.pending: dict[int, dict[int, dict]] = {}
        self.flush: asyncio.Task | None = None

    def put(self, class_ids: list[int], t: dict) -> None:
        for cid in class_ids:
            self.pending.setdefault(cid, {})[t["student"]] = t
        if self.flush is None:
            self.flush = asyncio.get_running_loop().create_task(self._flush_later())

    async def _flush_later(self) -> None:
        await asyncio.sleep(TICK_SECONDS)
        pending, self.pending, self.flush = self.pending, {}, None  # later tiles: next tick
        latest = {t["student"]: t for tiles in pending.values() for t in tiles.values()}
        await sync_to_async(store_tiles)(list(latest.values()))
        for cid, tiles in pending.items():
            try:
                await self.layer.group_send(
                    live_group(cid), {"type": "classes.tiles", "tiles": list(tiles.values())}
                )
            except Exception:  # noqa: BLE001 - a live view is a convenience (see store_tiles)
                pass


# One outbox per event loop (a web process has one; tests open one per test).
_outboxes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def outbox(layer) -> _Outbox:
    loop = asyncio.get_running_loop()
    box = _outboxes.get(loop)
    if box is None or box.layer is not layer:
        box = _outboxes[loop] = _Outbox(layer)
    return box


class PlaygroundLiveMixin:
    """Mixed into the playground consumer: publishes the student's tile to their classes'
    live views and forwards "send to class" setups to the student's page."""

    _class_ids: list[int] = []
    _last_publish = 0.0
    _trailing: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        # Only a socket that needs the channel layer subscribes to it: a student in a class,
        # who receives "send to class". Every other playground socket (anonymous visitors,
        # people in no class) skips it, and with it the Redis layer's blocking receive that
        # can hold up a web process's shutdown. Classes joined later count from the next page.
        self._class_ids = await database_sync_to_async(student_class_ids)(scope.get("user"))
        if not self._class_ids:
            self.channel_layer_alias = None
        return await super().__call__(scope, receive, send)

    async def classes_connect(self) -> None:
        if self.channel_layer is None:
            return
        for cid in self._class_ids:
            await self.channel_layer.group_add(students_group(cid), self.channel_name)
        await self.classes_publish(force=True)

    async def classes_publish(self, force: bool = False) -> None:
        """Send this student's tile to their classes, at most once per PUBLISH_SECONDS."""
        if not self._class_ids or self.session is None or self.channel_layer is None:
            return
        now = time.monotonic()
        wait = self._last_publish + PUBLISH_SECONDS - now
        if not force and wait > 0:
            if self._trailing is None or self._trailing.done():
                self._trailing = asyncio.get_running_loop().create_task(self._publish_later(wait))
            return
        self._last_publish = now
        # deferred: a real cycle (nnweb.playground.consumers imports this module)
        from nnweb.playground.consumers import run_engine

        t = await run_engine(tile, self.user, self.session)
        outbox(self.channel_layer).put(self._class_ids, t)

    async def _publish_later(self, wait: float) -> None:
        await asyncio.sleep(wait)
        await self.classes_publish(force=True)

    async def classes_disconnect(self) -> None:
        if self._trailing is not None:
            self._trailing.cancel()
        if self.channel_layer is None:
            return
        for cid in self._class_ids:
            await self.channel_layer.group_discard(students_group(cid), self.channel_name)

    async def classes_setup(self, event: dict) -> None:
        """An instructor sent a setup to the class: the page asks before replacing anything."""
        await self._send_json({"type": "class_setup", **event["setup"]})
