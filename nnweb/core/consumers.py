"""Websocket consumers of the core app."""

from __future__ import annotations

import json
import time

from channels.generic.websocket import AsyncWebsocketConsumer


class PingConsumer(AsyncWebsocketConsumer):
    """Answers every ping with a pong; the base layout uses it as a connection indicator.

    Client sends ``{"type": "ping", "id": <any>}``; the server answers
    ``{"type": "pong", "id": <same>, "server_time": <unix seconds>, "user": <name or null>}``.
    On connect the server sends ``{"type": "hello", "user": ...}`` at once.
    """

    channel_layer_alias = None  # uses no groups: no channel-layer subscription (clean shutdown)

    async def connect(self) -> None:
        await self.accept()
        await self.send_json({"type": "hello", "user": self._username()})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send_json({"type": "error", "error": "Send JSON text frames, not binary."})
            return
        try:
            message = json.loads(text_data)
        except json.JSONDecodeError as exc:
            await self.send_json({"type": "error", "error": f"Invalid JSON: {exc.msg}."})
            return
        if not isinstance(message, dict) or message.get("type") != "ping":
            await self.send_json(
                {"type": "error", "error": 'Expected a JSON object {"type": "ping"}.'}
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
