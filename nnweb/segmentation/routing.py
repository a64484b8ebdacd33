"""Websocket routes of the segmentation app (paths start with ws/segmentation/)."""

websocket_urlpatterns: list = []
