"""The live view's socket limits (nnweb.core.ws_guard): sockets per instructor, message size."""

from __future__ import annotations

import json

import pytest
from channels.routing import URLRouter
from channels.testing.websocket import WebsocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True)


class _WithUser:
    def __init__(self, app, user):
        self.app, self.user = app, user

    async def __call__(self, scope, receive, send):
        return await self.app(dict(scope, user=self.user), receive, send)


def _view(klass, user) -> WebsocketCommunicator:
    from nnweb.routing import websocket_urlpatterns

    app = _WithUser(URLRouter(websocket_urlpatterns), user)
    return WebsocketCommunicator(app, f"/ws/classes/{klass.pk}/live/")


async def test_open_live_views_per_instructor_are_capped(klass, instructor, settings):
    from asgiref.sync import sync_to_async
    from django.core.cache import cache

    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "WS_MAX_SOCKETS_PER_CLIENT": 2}
    await sync_to_async(cache.clear)()
    open_ = []
    for _ in range(2):
        view = _view(klass, instructor)
        assert (await view.connect())[0]
        assert json.loads(await view.receive_from(timeout=10))["type"] == "tiles"
        open_.append(view)
    extra = _view(klass, instructor)
    connected, code = await extra.connect()
    assert not connected and code == 4429
    await open_.pop().disconnect()  # one closes: a new one may open
    again = _view(klass, instructor)
    assert (await again.connect())[0]
    for view in [*open_, again]:
        await view.disconnect()


async def test_an_oversize_message_closes_the_live_view_with_a_reason(klass, instructor, settings):
    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "WS_MAX_MESSAGE_BYTES": 1000}
    view = _view(klass, instructor)
    assert (await view.connect())[0]
    await view.receive_from(timeout=10)
    await view.send_to(text_data="x" * 5000)
    closed = await view.receive_output(timeout=10)
    assert closed["type"] == "websocket.close" and closed["code"] == 4413
    assert "the limit is 1000" in closed["reason"]
