"""The ping consumer behind the live-connection indicator."""

import pytest
from channels.testing import WebsocketCommunicator

from nnweb.asgi import application

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


@pytest.mark.django_db(transaction=True)
async def test_ping_answers_pong():
    communicator = WebsocketCommunicator(application, "/ws/core/ping/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from()
    assert hello == {"type": "hello", "user": None}
    await communicator.send_json_to({"type": "ping", "id": 7})
    pong = await communicator.receive_json_from()
    assert pong["type"] == "pong"
    assert pong["id"] == 7
    assert pong["user"] is None
    assert isinstance(pong["server_time"], float)
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_ping_rejects_bad_messages():
    communicator = WebsocketCommunicator(application, "/ws/core/ping/", headers=ORIGIN)
    await communicator.connect()
    await communicator.receive_json_from()
    await communicator.send_to(text_data="not json")
    error = await communicator.receive_json_from()
    assert error["type"] == "error" and "Invalid JSON" in error["errors"][0]["detail"]
    await communicator.send_json_to({"type": "shout"})
    error = await communicator.receive_json_from()
    assert error["type"] == "error" and "ping" in error["errors"][0]["detail"]
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_ping_refuses_foreign_origin():
    communicator = WebsocketCommunicator(
        application, "/ws/core/ping/", headers=[(b"origin", b"http://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
async def test_ping_knows_the_logged_in_user(student):
    from asgiref.sync import sync_to_async
    from django.test import Client

    client = Client()
    await sync_to_async(client.force_login)(student)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(
        application, "/ws/core/ping/", headers=[*ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["user"] == "alice"
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_open_sockets_per_address_are_capped(settings):
    from django.core.cache import cache

    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "WS_MAX_SOCKETS_PER_CLIENT": 3}
    cache.clear()
    open_ = []
    for _ in range(3):
        c = WebsocketCommunicator(application, "/ws/core/ping/", headers=ORIGIN)
        connected, _ = await c.connect()
        assert connected
        open_.append(c)
    extra = WebsocketCommunicator(application, "/ws/core/ping/", headers=ORIGIN)
    connected, code = await extra.connect()
    assert not connected and code == 4429
    await open_.pop().disconnect()  # one closes: a new one may open
    again = WebsocketCommunicator(application, "/ws/core/ping/", headers=ORIGIN)
    connected, _ = await again.connect()
    assert connected
    for c in [*open_, again]:
        await c.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_an_oversize_message_closes_the_socket_with_a_reason(settings):
    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "WS_MAX_MESSAGE_BYTES": 1000}
    c = WebsocketCommunicator(application, "/ws/core/ping/", headers=ORIGIN)
    await c.connect()
    await c.receive_json_from()
    await c.send_to(text_data='{"type": "ping", "pad": "' + "x" * 5000 + '"}')
    closed = await c.receive_output()
    assert closed["type"] == "websocket.close" and closed["code"] == 4413
    assert "the limit is 1000" in closed["reason"]
