"""Websocket routes of the lessons app (paths start with ws/lessons/)."""

websocket_urlpatterns: list = []
