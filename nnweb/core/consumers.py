"""Websocket consumers of the core app."""

from __future__ import annotations

import json
import time

from channels.generic.websocket import AsyncWebsocketConsumer

from nnweb.core.errors import ws_error
from nnweb.core.ws_guard import NO_MESSAGE, SocketGuard


class PingConsumer(SocketGuard, AsyncWebsocketConsumer):
    """Answers every ping with a pong; the base layout uses it as a connection indicator.

    Client sends ``{"type": "ping", "id": <any>}``; the server answers
    ``{"type": "pong", "id": <same>, "server_time": <unix seconds>, "user": <name or null>}``.
    On connect the server sends ``{"type": "hello", "user": ...}`` at once. Errors are
    ``{"type": "error", "errors": [{code, detail, attr}]}`` (nnweb.core.errors.ws_error).
    """

    channel_layer_alias = None  # uses no groups: no channel-layer subscription (clean shutdown)

    async def connect(self) -> None:
        if not await self.guard_connect():
            return
        await self.accept()
        await self.send_json({"type": "hello", "user": self._username()})

    async def disconnect(self, code: int) -> None:
        await self.guard_disconnect()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        message = await self.guard_json(text_data, bytes_data)
        if message is NO_MESSAGE:
            return
        if not isinstance(message, dict) or message.get("type") != "ping":
            await self.send_json(
                ws_error("invalid", 'Expected a JSON object {"type": "ping"}.', "type")
            )
            return
        await self.send_json(
            {
                "type": "pong",
                "id": message.get("id"),
                "server_time": time.time(),
                "user": self._username(),
            }
        )

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))

    def _username(self) -> str | None:
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            return user.get_username()
        return None
