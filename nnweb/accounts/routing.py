"""Websocket routes of the accounts app (paths start with ws/accounts/)."""

websocket_urlpatterns: list = []
