"""Websocket routes of the core app (paths start with ws/core/)."""

from django.urls import path

from nnweb.core.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/core/ping/", PingConsumer.as_asgi()),
]
