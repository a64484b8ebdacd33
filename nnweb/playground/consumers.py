"""The playground websocket: ws/playground/<session_id>/.

A client (user or address) has at most NNWEB_LIMITS["WS_MAX_SOCKETS_PER_CLIENT"] sockets open
and sends messages of at most ["WS_MAX_MESSAGE_BYTES"] (nnweb.core.ws_guard: refused or closed
with close code 4429 / 4413 and a reason). Refusals are ``{"type": "error", "errors":
[{"code", "detail", "attr"}]}``, the items of the REST API's error shape (errors.ws_reply).

Client -> server: JSON text ``{"action": ..., "id": <echoed>, ...}`` (the actions of
actions.py, run through actions.dispatch as over REST). Server -> client: JSON text replies (orjson;
numbers exactly as the engine computed them) and, while playing, binary frames (frames.py).

Engine work runs in worker threads, never on the event loop. The play loop is an asyncio task
that ends when the client pauses, a stepping action pauses it, or the socket closes.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from rest_framework.exceptions import ValidationError

from nnweb.classes.live import PlaygroundLiveMixin  # classes hook: live lab view
from nnweb.core.errors import ws_error
from nnweb.core.ws_guard import SocketGuard

from . import actions, frames, shared, store
from . import config as cfgmod
from .config import ConfigError
from .errors import PlaygroundError, ws_reply
from .session import PlaygroundSession
from .throttles import message_rate

logger = logging.getLogger(__name__)

# Engine work runs here, off the event loop. Small NumPy operations hold the GIL, so more
# threads would only contend for it; two keep one slow action from blocking the others.
ENGINE_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="playground")


async def run_engine(fn, *args):
    return await asyncio.get_running_loop().run_in_executor(ENGINE_POOL, fn, *args)


# One step with at most this many weights x data points (the metrics pass after a step is
# their product) runs on the event loop: the default 2-8-8-2 on 200 points is 19,200, about
# 0.15 ms. A step of 8 hidden layers of 64 on 400 points would be 1.3 M and stays in the pool.
INLINE_WORK = 40_000

# Play loops currently running in this process (tests check that a closed socket leaves none).
ACTIVE_PLAY_LOOPS: set[asyncio.Task] = set()


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


class PlaygroundConsumer(SocketGuard, PlaygroundLiveMixin, AsyncWebsocketConsumer):
    # classes hook: a student's socket subscribes to the channel layer to join their classes'
    # groups and receive "send to class"; every other socket opts out (PlaygroundLiveMixin).
    session: PlaygroundSession | None = None
    play_task: asyncio.Task | None = None
    play_token: str | None = None  # the play loop this socket started last (store.play_frame)

    async def dispatch(self, message) -> None:
        """Like Channels' dispatch, without closing old database connections around every
        websocket message: the actions that use the database run in database_sync_to_async,
        which does that itself, and the stepping actions never touch it."""
        if message.get("type") == "websocket.receive":
            await self.websocket_receive(message)
        else:
            await super().dispatch(message)

    async def connect(self) -> None:
        if not await self.guard_connect():
            return  # too many sockets from this client: closed with a reason
        sid = self.scope["url_route"]["kwargs"]["session_id"]
        self.user = self.scope.get("user")
        rate = message_rate()
        self.limiter = RateLimiter(rate, 2 * rate)
        await self.accept()
        try:
            self.session = await database_sync_to_async(store.get)(sid, self.user)
        except PlaygroundError as exc:
            await self._send_json(ws_reply(exc))
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
        await self.guard_disconnect()
        await self._stop_play()
        await self.classes_disconnect()  # classes hook
        if self.session is not None:
            await run_engine(store.close_socket, self.session, self.play_token)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        if self.session is None:
            return
        if not await self.guard_message(text_data, bytes_data):
            return  # too large: closed with a reason, never parsed
        if not self.limiter.allow():
            await self._send_json(
                ws_error(
                    "rate_limited",
                    f"Too many messages: at most {self.limiter.rate:g} per second on one "
                    "connection. Wait a moment and try again.",
                )
            )
            return
        if text_data is None:
            await self._send_json(ws_error("binary", "Send JSON text messages, not binary."))
            return
        try:
            msg = frames.loads(text_data)
        except ValueError as exc:
            await self._send_json(ws_error("parse_error", f"Invalid JSON: {exc}."))
            return
        mid = msg.get("id") if isinstance(msg, dict) else None
        try:
            reply = await self._handle(msg)
        except (ConfigError, PlaygroundError, ValidationError) as exc:
            reply = ws_reply(exc)
        if reply is None:
            return
        if isinstance(reply, bytes):
            await self.send(bytes_data=reply)
            return
        if mid is not None:
            reply["id"] = mid
        await self._send_json(reply)
        await self.classes_publish()  # classes hook: tile to the live view (at most 2/s)

    async def _handle(self, msg):
        spec = actions.get(msg)
        if spec.play == "stop":
            await self._stop_play()  # before the reply, so no frame follows it
        if self._runs_inline(spec):
            reply = actions.dispatch(self.session, msg, self.user)
        else:
            run = database_sync_to_async if spec.uses_db else _on_engine
            reply = await run(actions.dispatch)(self.session, msg, self.user)
        if reply.play == "start":
            self._start_play()
        if reply.frame is not None:
            return frames.encode_binary(*reply.frame)
        return reply.body

    def _runs_inline(self, spec: actions.Action) -> bool:
        """One step of a small network runs on the event loop: handing it to the engine pool
        and back cost about half as much CPU again as the step itself (with 200 clients, 0.50
        ms of server CPU per step through the pool, 0.33 ms here). Anything larger, or any
        action that may wait on Redis (scaled out), still runs in the pool, so the loop never
        waits long."""
        if not spec.one_step or shared.enabled():
            return False
        s = self.session
        weights = sum(layer.W.size for layer in s.net.layers if hasattr(layer, "W"))
        return weights * (len(s.A_train) + len(s.A_test)) <= INLINE_WORK

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
            except asyncio.CancelledError:
                pass
            except Exception:  # noqa: BLE001 - stopping must not fail; the loop's error is logged
                sid = self.session.id if self.session is not None else "?"
                logger.exception("playground session %s: the play loop failed", sid)

    async def _play_loop(self) -> None:
        loop = asyncio.get_running_loop()
        session = self.session
        token, first = uuid.uuid4().hex, True
        self.play_token = token
        due = loop.time()  # when the next frame should leave
        while True:
            t0 = loop.time()
            data = await run_engine(store.play_frame, session, token, first)
            first = False
            if data is None:  # paused (by the client or by a stepping action)
                await self._send_json({"type": "paused", "iteration": session.iteration})
                return
            await self.send(bytes_data=data)
            await self.classes_publish()  # classes hook: tile to the live view (at most 2/s)
            if not session.playing:  # stopped by a refusal (e.g. the loss diverged)
                return
            fps = max(1, min(session.config.fps, cfgmod.MAX_FPS))
            spent = loop.time() - t0
            # Frames keep to a schedule (the event loop's own delays do not add up: sleeping
            # 1/fps - spent after each frame gave 58 of 60 frames/s); a frame more than one
            # interval late starts the schedule again instead of sending a burst. Never more
            # than 2/3 of a core per socket.
            due = max(due + 1.0 / fps, t0)
            await asyncio.sleep(max(due - loop.time(), 0.5 * spent))

    async def _send_json(self, content: dict) -> None:
        await self.send(text_data=frames.dumps(content).decode())


def _on_engine(fn):
    """``fn`` run in the engine pool (the counterpart of database_sync_to_async)."""

    async def call(*args):
        return await run_engine(fn, *args)

    return call
