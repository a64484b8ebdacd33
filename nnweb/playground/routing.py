"""Websocket routes of the playground app (paths start with ws/playground/)."""

websocket_urlpatterns: list = []
