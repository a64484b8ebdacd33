"""ws/training/<run_id>/ — pushes a run's progress to the page.

The consumer polls the run's row (cheap: one indexed read of ``version`` every
``POLL_SECONDS``), so it works with any number of web processes and any worker.
With a shared channel layer (Redis) the task also sends ``run.changed`` to the
run's group and the consumer answers at once instead of at the next poll.

Messages: ``{"type": "snapshot", "run": {...}}`` first (full history), then
``{"type": "progress", "run": {...}}`` whenever the run changes; ``run.history``
holds only the points after ``run.history_from``. The socket stays open after
the run finishes so the page can keep it; clients may send ``{"type": "cancel"}`` or
``{"type": "refresh"}``. Errors are ``{"type": "error", "errors": [{code, detail, attr}]}``
(nnweb.core.errors.ws_error, the REST error items). Sockets per client and message size are
capped by nnweb.core.ws_guard (close codes 4429 and 4413).
"""

from __future__ import annotations

import asyncio
import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from nnweb.core.errors import ws_error
from nnweb.core.ws_guard import NO_MESSAGE, SocketGuard

from .events import group_name
from .heartbeat import sweep_stale_runs
from .models import TrainingRun
from .selectors import can_cancel, visible_runs
from .services import cancel_run, snapshot

POLL_SECONDS = 0.5
SWEEP_EVERY = 10  # polls


class TrainingRunConsumer(SocketGuard, AsyncWebsocketConsumer):
    async def connect(self) -> None:
        if not await self.guard_connect():
            return
        self.run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        user = self.scope.get("user")
        allowed = await self._allowed(user)
        if not allowed:
            await self.accept()
            await self.send_json(ws_error("not_found", "No such run, or you may not see it."))
            await self.close(code=4403)
            return
        self.group = group_name(self.run_id)
        if self.channel_layer is not None:
            await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.version = -1
        self.sent_history = 0
        self.wake = asyncio.Event()
        await self.push(full=True)
        self.poller = asyncio.ensure_future(self.poll())

    async def disconnect(self, code) -> None:
        await self.guard_disconnect()
        poller = getattr(self, "poller", None)
        if poller is not None:
            poller.cancel()
        if getattr(self, "group", None) and self.channel_layer is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        msg = await self.guard_json(text_data, bytes_data)
        if msg is NO_MESSAGE:
            return
        kind = msg.get("type") if isinstance(msg, dict) else None
        if kind == "cancel":
            ok = await self._cancel(self.scope.get("user"))
            if not ok:
                await self.send_json(ws_error("permission_denied", "You may not cancel this run."))
            self.wake.set()
        elif kind == "refresh":
            await self.push(full=True)
        else:
            await self.send_json(
                ws_error("invalid", 'Expected {"type": "cancel"} or {"type": "refresh"}.', "type")
            )

    async def run_changed(self, event: dict) -> None:
        """Group message from the task (shared channel layer)."""
        self.wake.set()

    async def poll(self) -> None:
        polls = 0
        try:
            while True:
                try:
                    await asyncio.wait_for(self.wake.wait(), timeout=POLL_SECONDS)
                except TimeoutError:
                    pass
                self.wake.clear()
                polls += 1
                if polls % SWEEP_EVERY == 0:
                    await self._sweep()
                await self.push()
        except asyncio.CancelledError:
            pass

    async def push(self, full: bool = False) -> None:
        """Send what changed since the last push; ``full`` sends the whole run even unchanged."""
        known = -1 if full else self.version
        snap = await self._snapshot(known, 0 if full else self.sent_history)
        if snap is None:
            return
        self.version = snap["version"]
        self.sent_history = snap["history_len"]
        await self.send_json({"type": "snapshot" if full else "progress", "run": snap})

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))

    # ---------------------------------------------------------------- db access
    @database_sync_to_async
    def _allowed(self, user) -> bool:
        return visible_runs(user).filter(pk=self.run_id).exists()

    @database_sync_to_async
    def _snapshot(self, known_version: int, history_from: int):
        row = TrainingRun.objects.filter(pk=self.run_id).values_list("version", flat=True)
        current = row.first()
        if current is None or current == known_version:
            return None
        run = TrainingRun.objects.select_related("owner").get(pk=self.run_id)
        return snapshot(run, history_from=min(history_from, len(run.history)))

    @database_sync_to_async
    def _sweep(self) -> None:
        sweep_stale_runs()

    @database_sync_to_async
    def _cancel(self, user) -> bool:
        run = TrainingRun.objects.get(pk=self.run_id)
        if not can_cancel(user, run):
            return False
        cancel_run(run)
        return True
