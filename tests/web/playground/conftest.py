"""Helpers of the playground tests: a websocket communicator with a chosen user."""

from __future__ import annotations

import numpy as np
import pytest
from channels.routing import URLRouter
from channels.testing.websocket import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from nnweb.playground import frames, store
from nnweb.playground.session import PlaygroundSession


class _WithUser:
    """ASGI middleware that puts ``user`` in the scope (what AuthMiddlewareStack does)."""

    def __init__(self, app, user):
        self.app = app
        self.user = user

    async def __call__(self, scope, receive, send):
        scope = dict(scope, user=self.user or AnonymousUser())
        return await self.app(scope, receive, send)


def communicator(session_id: str, user=None) -> WebsocketCommunicator:
    from nnweb.playground.routing import websocket_urlpatterns

    app = _WithUser(URLRouter(websocket_urlpatterns), user)
    return WebsocketCommunicator(app, f"/ws/playground/{session_id}/")


async def ask(comm: WebsocketCommunicator, msg: dict, timeout: float = 10) -> dict:
    """Send one action and return its JSON reply (skipping binary frames)."""
    await comm.send_to(text_data=frames.dumps(msg).decode())
    while True:
        out = await comm.receive_output(timeout)
        if out["type"] == "websocket.close":
            raise AssertionError(f"socket closed: {out}")
        if out.get("text") is not None:
            return frames.loads(out["text"])


def new_session(config: dict | None = None, user=None) -> PlaygroundSession:
    return store.save(PlaygroundSession.create(config or {}, user=user))


def arr(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


@pytest.fixture
def xor_session():
    s = new_session({"dataset": "xor", "hidden": [4], "activations": ["tanh"], "seed": 3})
    yield s
    s.playing = False
    store.local.discard(s.id)


# A refusal, REST or websocket: {"type": ..., "errors": [{"code", "detail", "attr"}]}.
def attr_of(body: dict) -> str | None:
    return body["errors"][0]["attr"]


def detail_of(body: dict) -> str:
    return "; ".join(e["detail"] for e in body["errors"])


def code_of(body: dict) -> str:
    return body["errors"][0]["code"]
