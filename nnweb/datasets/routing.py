"""Websocket routes of the datasets app (paths start with ws/datasets/)."""

websocket_urlpatterns: list = []
