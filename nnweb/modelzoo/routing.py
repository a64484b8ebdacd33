"""Websocket routes of the modelzoo app (paths start with ws/modelzoo/)."""

websocket_urlpatterns: list = []
