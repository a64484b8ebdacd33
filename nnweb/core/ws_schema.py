"""Websocket message shapes, as named components of the OpenAPI schema.

OpenAPI has no websocket operations, so no view references these serializers and
drf-spectacular would leave them out. ``add_websocket_messages`` is a postprocessing hook
(SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) that resolves each serializer of ``MESSAGES``
through drf-spectacular's own AutoSchema into the schema's component registry, so the
messages get the same field mapping as the REST bodies and openapi-typescript generates their
types (``components["schemas"]["TrainingRunMessage"]`` ...). A hook, rather than hand-written
JSON in SPECTACULAR_SETTINGS["APPEND_COMPONENTS"], keeps one source: the serializers, which
reuse the REST ones (a run message carries the ``Run`` component of GET /api/training/runs/{id}/).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.views import APIView

from nnweb.playground import messages as playground_messages
from nnweb.training.serializers import RunSerializer


def _const(*values: str, help_text: str = "") -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=[(v, v) for v in values], help_text=help_text)


class WsErrorItemSerializer(serializers.Serializer):
    """One error, the same item as the REST error shape's ``errors``."""

    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class WsErrorMessageSerializer(serializers.Serializer):
    """Any socket's error message (nnweb.core.errors.ws_error)."""

    type = _const("error")
    errors = WsErrorItemSerializer(many=True)


class PingClientMessageSerializer(serializers.Serializer):
    """ws/core/ping/, client to server."""

    type = _const("ping")
    id = serializers.JSONField(required=False, help_text="echoed in the pong")


class PingServerMessageSerializer(serializers.Serializer):
    """ws/core/ping/, server to client: ``hello`` on connect, then a ``pong`` per ping."""

    type = _const("hello", "pong")
    user = serializers.CharField(allow_null=True, help_text="the signed-in user's name")
    id = serializers.JSONField(required=False, help_text="the ping's id (pong only)")
    server_time = serializers.FloatField(required=False, help_text="unix seconds (pong only)")


class TrainingRunMessageSerializer(serializers.Serializer):
    """ws/training/<id>/, server to client: the whole run first, then what changed.

    In a ``progress`` message ``run.history`` holds only the points from ``run.history_from``."""

    type = _const("snapshot", "progress")
    run = RunSerializer()


class TrainingClientMessageSerializer(serializers.Serializer):
    """ws/training/<id>/, client to server: cancel the run, or ask for the whole run again."""

    type = _const("cancel", "refresh")


class LiveTileThumbSerializer(serializers.Serializer):
    kind = _const(
        "classes",
        "values",
        "curve",
        help_text="a class map, a regression's values over the plane, or a 1-D fitted curve",
    )
    side = serializers.IntegerField(help_text="pixels per side")
    data = serializers.CharField(help_text="base64 bytes, one per pixel (or curve point)")


class LiveTileSerializer(serializers.Serializer):
    """One student's playground, as the live lab view shows it (nnweb.classes.live.tile)."""

    student = serializers.IntegerField()
    username = serializers.CharField()
    session = serializers.CharField()
    dataset = serializers.CharField()
    hidden = serializers.ListField(child=serializers.IntegerField())
    iteration = serializers.IntegerField()
    stage = serializers.CharField()
    test_accuracy = serializers.FloatField(allow_null=True)
    test_loss = serializers.FloatField(allow_null=True)
    thumb = LiveTileThumbSerializer(allow_null=True)
    t = serializers.FloatField(help_text="unix seconds when the tile was made")


class LiveTilesMessageSerializer(serializers.Serializer):
    """ws/classes/<id>/live/, server to client: every tile first, then the changed ones."""

    type = _const("tiles")
    tiles = LiveTileSerializer(many=True)


MESSAGES = [
    WsErrorMessageSerializer,
    PingClientMessageSerializer,
    PingServerMessageSerializer,
    TrainingRunMessageSerializer,
    TrainingClientMessageSerializer,
    LiveTilesMessageSerializer,
    *playground_messages.MESSAGES,
]


class _MessageSchema(AutoSchema):
    """An AutoSchema on a bare view: only its serializer mapping is used."""

    def __init__(self, registry):
        super().__init__()
        view = APIView()
        view.request = None
        view.format_kwarg = None
        view.swagger_fake_view = True
        self.view = view
        self.registry = registry
        self.method = "GET"
        self.path = "/ws/"
        self.path_regex = "/ws/"


def add_websocket_messages(result, generator, request, public):
    """Postprocessing hook: add the MESSAGES components (and the ones they nest)."""
    schema = _MessageSchema(generator.registry)
    for serializer in MESSAGES:
        schema.resolve_serializer(serializer, "response")
    built = generator.registry.build({})
    result.setdefault("components", {}).setdefault("schemas", {}).update(built["schemas"])
    return result
