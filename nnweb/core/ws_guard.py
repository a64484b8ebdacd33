"""Limits every websocket consumer shares: open sockets per client and message size.

    class MyConsumer(SocketGuard, AsyncWebsocketConsumer):
        async def connect(self):
            if not await self.guard_connect():
                return                      # refused and closed with a reason
            await self.accept()

        async def receive(self, text_data=None, bytes_data=None):
            if not await self.guard_message(text_data, bytes_data):
                return                      # too large: closed with a reason
            ...

        # or, for a consumer that speaks JSON text frames (it defines ``send_json``):
        async def receive(self, text_data=None, bytes_data=None):
            message = await self.guard_json(text_data, bytes_data)
            if message is NO_MESSAGE:
                return                      # refused: too large, binary or not JSON
            ...

        async def disconnect(self, code):
            await self.guard_disconnect()

A client is its user (signed in) or its address. The open-socket count lives in the default
cache (Redis when scaled out) and moves with atomic add/incr/decr, so sockets opened at once
all count. Limits: NNWEB_LIMITS["WS_MAX_SOCKETS_PER_CLIENT"], ["WS_MAX_MESSAGE_BYTES"].
"""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache

from .errors import ws_error

# Close codes in the application range (4000-4999), and the reasons the client sees.
TOO_MANY_SOCKETS = 4429
MESSAGE_TOO_BIG = 4413
SOCKET_COUNT_TTL = 6 * 3600  # a crashed process's sockets stop counting after this
NO_MESSAGE = object()  # what guard_json returns for a frame it refused


def max_sockets() -> int:
    return int(settings.NNWEB_LIMITS.get("WS_MAX_SOCKETS_PER_CLIENT", 8))


def max_message_bytes() -> int:
    return int(settings.NNWEB_LIMITS.get("WS_MAX_MESSAGE_BYTES", 64 * 1024))


def client_key(scope: dict) -> str:
    user = scope.get("user")
    if user is not None and getattr(user, "is_authenticated", False):
        return f"ws-open:user:{user.pk}"
    client = scope.get("client") or ("unknown", 0)
    return f"ws-open:addr:{client[0]}"


def _open_one(key: str) -> int:
    cache.add(key, 0, timeout=SOCKET_COUNT_TTL)
    return cache.incr(key)


def _close_one(key: str) -> None:
    try:
        if cache.decr(key) < 0:
            cache.set(key, 0, timeout=SOCKET_COUNT_TTL)
    except ValueError:  # expired meanwhile
        pass


class SocketGuard:
    """Mixin for Channels consumers (see the module docstring)."""

    _guard_key: str | None = None

    async def guard_connect(self) -> bool:
        key = client_key(self.scope)
        count = await sync_to_async(_open_one)(key)
        self._guard_key = key
        if count > max_sockets():
            # A refused socket stops counting now (its disconnect may never come).
            await self.guard_disconnect()
            await self.close(
                code=TOO_MANY_SOCKETS,
                reason=f"Too many open connections: at most {max_sockets()} per user or address.",
            )
            return False
        return True

    async def guard_message(self, text_data: str | None, bytes_data: bytes | None) -> bool:
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > max_message_bytes():
            await self.close(
                code=MESSAGE_TOO_BIG,
                reason=f"Message too large: {size} bytes; the limit is {max_message_bytes()}.",
            )
            return False
        return True

    async def guard_json(self, text_data: str | None, bytes_data: bytes | None) -> Any:
        """The text frame parsed as JSON, after ``guard_message``; NO_MESSAGE when refused (a
        binary frame or invalid JSON is answered with the websocket error, through the
        consumer's ``send_json``)."""
        if not await self.guard_message(text_data, bytes_data):
            return NO_MESSAGE
        if text_data is None:
            await self.send_json(ws_error("binary", "Send JSON text frames, not binary."))
            return NO_MESSAGE
        try:
            return json.loads(text_data)
        except (json.JSONDecodeError, RecursionError) as exc:
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            await self.send_json(ws_error("parse_error", f"Invalid JSON: {why}."))
            return NO_MESSAGE

    async def guard_disconnect(self) -> None:
        if self._guard_key is not None:
            await sync_to_async(_close_one)(self._guard_key)
            self._guard_key = None
