"""The instructor's live lab view: ws/classes/<class id>/live/.

Server -> client: ``{"type": "tiles", "tiles": [tile, ...]}`` (see live.tile), first every
student's latest tile from the cache, then only the students whose tile changed, at most every
``FLUSH_SECONDS``. Tiles arrive from each web process already coalesced (one ``classes.tiles``
group message per process and tick, live._Outbox) and are coalesced again to the latest per
student, so a busy class never queues more than one message per flush on this socket, whatever
the number of students, and the channel layer carries a few messages a second (the Redis layer
drops messages beyond 100 waiting on one channel). Errors are
``{"type": "error", "errors": [{code, detail, attr}]}`` (nnweb.core.errors.ws_error); sockets
per client and message size are capped by nnweb.core.ws_guard (close codes 4429 and 4413).
"""

from __future__ import annotations

import asyncio
import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from nnweb.core.errors import ws_error
from nnweb.core.ws_guard import SocketGuard

from . import live, selectors
from .models import Class

FLUSH_SECONDS = 0.25


def _authorise(user, class_id: int) -> list[int] | None:
    """The class's student ids if ``user`` teaches it, else None."""
    klass = Class.objects.filter(pk=class_id).first()
    if klass is None or not selectors.is_class_instructor(user, klass):
        return None
    return list(klass.students.values_list("pk", flat=True))


class LiveViewConsumer(SocketGuard, AsyncWebsocketConsumer):
    flush_task: asyncio.Task | None = None

    async def connect(self) -> None:
        if not await self.guard_connect():
            return
        self.class_id = int(self.scope["url_route"]["kwargs"]["class_id"])
        student_ids = await database_sync_to_async(_authorise)(
            self.scope.get("user"), self.class_id
        )
        await self.accept()
        if student_ids is None:
            message = "Only the instructors of this class see its live view."
            await self.send(text_data=json.dumps(ws_error("permission_denied", message)))
            await self.close(code=4403)
            return
        self.students = set(student_ids)
        self.pending: dict[int, dict] = {}
        await self.channel_layer.group_add(live.live_group(self.class_id), self.channel_name)
        tiles = live.latest_tiles(student_ids)
        await self.send(text_data=json.dumps({"type": "tiles", "tiles": list(tiles.values())}))
        self.flush_task = asyncio.get_running_loop().create_task(self._flush_loop())

    async def disconnect(self, code) -> None:
        await self.guard_disconnect()
        if self.flush_task is not None:
            self.flush_task.cancel()
        if hasattr(self, "pending"):
            await self.channel_layer.group_discard(
                live.live_group(self.class_id), self.channel_name
            )

    async def receive(self, text_data=None, bytes_data=None) -> None:
        """The view only listens; "send to class" is a REST call (POST .../send/)."""
        await self.guard_message(text_data, bytes_data)

    async def classes_tiles(self, event: dict) -> None:
        for t in event["tiles"]:
            self.pending[t["student"]] = t  # coalesce: only the latest per student is sent

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            if self.pending:
                tiles, self.pending = list(self.pending.values()), {}
                await self.send(text_data=json.dumps({"type": "tiles", "tiles": tiles}))
