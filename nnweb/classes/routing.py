from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/classes/<int:class_id>/live/", consumers.LiveViewConsumer.as_asgi()),
]
