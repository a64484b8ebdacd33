"""Websocket routes of the playground app (paths start with ws/playground/)."""

from django.urls import re_path

from .consumers import PlaygroundConsumer

websocket_urlpatterns = [
    re_path(r"^ws/playground/(?P<session_id>[0-9a-f]{8,64})/$", PlaygroundConsumer.as_asgi()),
]
