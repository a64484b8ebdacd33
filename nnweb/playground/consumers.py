"""The playground websocket: ws/playground/<session_id>/.

Client -> server: JSON text ``{"action": ..., "id": <echoed>, ...}`` (the actions of
services.PlaygroundSession.apply, plus "save"). Server -> client: JSON text replies (orjson;
numbers exactly as the engine computed them) and, while playing, binary frames (frames.py).

Engine work runs in worker threads, never on the event loop. The play loop is an asyncio task
that ends when the client pauses, a stepping action pauses it, or the socket closes.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from nnweb.classes.live import PlaygroundLiveMixin  # classes hook: live lab view

from . import frames, services
from .config import ConfigError

# Engine work runs here, off the event loop. Small NumPy operations hold the GIL, so more
# threads would only contend for it; two keep one slow action from blocking the others.
ENGINE_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="playground")


async def run_engine(fn, *args):
    return await asyncio.get_running_loop().run_in_executor(ENGINE_POOL, fn, *args)


# Play loops currently running in this process (tests check that a closed socket leaves none).
ACTIVE_PLAY_LOOPS: set[asyncio.Task] = set()

DB_ACTIONS = {"configure", "add_point", "remove_point", "save"}


class RateLimiter:
    """Token bucket: ``rate`` messages per second on average, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = float(rate)
        self.burst = float(burst)
        self.tokens = float(burst)
        self.last = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def message_rate() -> int:
    return int(getattr(settings, "NNWEB_LIMITS", {}).get("WS_MESSAGES_PER_SECOND", 30))


class PlaygroundConsumer(PlaygroundLiveMixin, AsyncWebsocketConsumer):
    session: services.PlaygroundSession | None = None
    play_task: asyncio.Task | None = None

    async def dispatch(self, message) -> None:
        """Like Channels' dispatch, without closing old database connections around every
        websocket message: the actions that use the database run in database_sync_to_async,
        which does that itself, and the stepping actions never touch it."""
        if message.get("type") == "websocket.receive":
            await self.websocket_receive(message)
        else:
            await super().dispatch(message)

    async def connect(self) -> None:
        sid = self.scope["url_route"]["kwargs"]["session_id"]
        self.user = self.scope.get("user")
        rate = message_rate()
        self.limiter = RateLimiter(rate, 2 * rate)
        await self.accept()
        try:
            self.session = await database_sync_to_async(services.get_session)(sid, self.user)
        except services.PlaygroundError as exc:
            await self._send_json(exc.as_dict())
            await self.close(code=4404 if exc.code == "not_found" else 4403)
            return
        await self._send_json(
            {
                "type": "hello",
                "session": self.session.id,
                "rate_limit": rate,
                "playing": False,
            }
        )
        await self.classes_connect()  # classes hook: join the class groups, first tile

    async def disconnect(self, code) -> None:
        await self._stop_play()
        await self.classes_disconnect()  # classes hook
        if self.session is not None:
            self.session.playing = False
            await run_engine(services.persist, self.session)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        if self.session is None:
            return
        if not self.limiter.allow():
            await self._send_json(
                {
                    "type": "error",
                    "code": "rate_limited",
                    "message": f"Too many messages: at most {self.limiter.rate:g} per second on "
                    "one connection. Wait a moment and try again.",
                }
            )
            return
        if text_data is None:
            await self._send_json(
                {"type": "error", "code": "invalid", "message": "send JSON text messages"}
            )
            return
        try:
            msg = frames.loads(text_data)
        except ValueError as exc:
            await self._send_json(
                {"type": "error", "code": "invalid", "message": f"invalid JSON: {exc}"}
            )
            return
        mid = msg.get("id") if isinstance(msg, dict) else None
        try:
            reply = await self._handle(msg)
        except ConfigError as exc:
            reply = {"type": "error", "code": "invalid", "field": exc.field, "message": str(exc)}
        except services.PlaygroundError as exc:
            reply = exc.as_dict()
        if reply is None:
            return
        if isinstance(reply, bytes):
            await self.send(bytes_data=reply)
            return
        if mid is not None:
            reply["id"] = mid
        await self._send_json(reply)
        await self.classes_publish()  # classes hook: tile to the live view (at most 1/s)

    async def _handle(self, msg):
        session = self.session
        action = msg.get("action") if isinstance(msg, dict) else None
        if action == "play":
            reply = await run_engine(session.apply, msg, self.user)
            self._start_play()
            return reply
        if action == "pause":
            await self._stop_play()
            return await run_engine(session.apply, msg, self.user)
        if action == "frame":
            return await run_engine(_binary_frame, session)
        if action == "save":
            return await database_sync_to_async(services.save_experiment)(
                session, self.user, msg.get("name"), msg.get("experiment")
            )
        if action in DB_ACTIONS:
            return await database_sync_to_async(session.apply)(msg, self.user)
        return await run_engine(session.apply, msg, self.user)

    def _start_play(self) -> None:
        if self.play_task is not None and not self.play_task.done():
            return
        task = asyncio.get_running_loop().create_task(self._play_loop())
        ACTIVE_PLAY_LOOPS.add(task)
        task.add_done_callback(ACTIVE_PLAY_LOOPS.discard)
        self.play_task = task

    async def _stop_play(self) -> None:
        task, self.play_task = self.play_task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass

    async def _play_loop(self) -> None:
        loop = asyncio.get_running_loop()
        session = self.session
        while True:
            t0 = loop.time()
            data = await run_engine(session.play_frame)
            if data is None:  # paused (by the client or by a stepping action)
                await self._send_json({"type": "paused", "iteration": session.iteration})
                return
            await self.send(bytes_data=data)
            await self.classes_publish()  # classes hook: tile to the live view (at most 1/s)
            if not session.playing:  # stopped by a refusal (e.g. the loss diverged)
                return
            fps = max(1, min(session.config.fps, 30))
            spent = loop.time() - t0
            # at most the requested frame rate, and never more than 2/3 of a core per socket
            await asyncio.sleep(max(1.0 / fps - spent, 0.5 * spent))

    async def _send_json(self, content: dict) -> None:
        await self.send(text_data=frames.dumps(content).decode())


def _binary_frame(session: services.PlaygroundSession) -> bytes:
    with session.lock:
        meta, arrays = session.frame()
    return frames.encode_binary(meta, arrays)
