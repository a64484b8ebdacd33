"""Websocket routes of the training app (paths start with ws/training/)."""

websocket_urlpatterns: list = []
