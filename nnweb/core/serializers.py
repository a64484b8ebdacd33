"""Serializers of the core app: the API's error shape, its index, and the demo job."""

from __future__ import annotations

from rest_framework import serializers

from nnweb.core import services


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="stable machine-readable code, e.g. required")
    detail = serializers.CharField(help_text="what was wrong, for people")
    attr = serializers.CharField(
        allow_null=True, help_text="the field path (a.b.0.c), or null for the whole request"
    )


class ErrorResponseSerializer(serializers.Serializer):
    """Every 4xx/5xx of the API (drf-standardized-errors' format)."""

    type = serializers.ChoiceField(choices=["validation_error", "client_error", "server_error"])
    errors = ErrorSerializer(many=True)


class WebsocketErrorSerializer(serializers.Serializer):
    """An error sent on a websocket: the REST error items under ``"type": "error"``."""

    type = serializers.ChoiceField(choices=["error"])
    errors = ErrorSerializer(many=True)


class ApiSectionSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.CharField()
    description = serializers.CharField()


class ApiIndexSerializer(serializers.Serializer):
    sections = ApiSectionSerializer(many=True)
    schema = serializers.CharField(help_text="the OpenAPI schema")
    docs = serializers.CharField(help_text="the interactive documentation")


class PrimesRequestSerializer(serializers.Serializer):
    """The demo job's input, for the API and the page alike."""

    n = serializers.IntegerField(
        help_text="Count the primes below this number (2 to NNWEB_MAX_PRIMES_N).",
        error_messages={"invalid": "n must be a whole number."},
    )

    def validate_n(self, value: int) -> int:
        try:
            return services.validate_n(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class PrimesResultSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    count = serializers.IntegerField()
    largest = serializers.IntegerField(allow_null=True)
    seconds = serializers.FloatField()


class JobSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["READY", "RUNNING", "SUCCESSFUL", "FAILED"])
    finished = serializers.BooleanField()
    n = serializers.IntegerField(allow_null=True)
    result = PrimesResultSerializer(allow_null=True)
    error = serializers.CharField(allow_null=True)
    enqueued_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
