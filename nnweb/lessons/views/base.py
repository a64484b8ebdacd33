"""What every lesson endpoint shares: a serializer that refuses unknown fields and a view that
runs one panel computation on the validated arguments.

An endpoint is ``POST /api/lessons/<name>/`` with a JSON object; every field is optional and
defaults to the notes' worked example, so ``{}`` answers the lesson's default result. Bad input
raises a DRF ``ValidationError`` keyed by the field (the project's exception handler shapes
the 400); the computations' own deeper checks (shapes, fit) raise ``LessonInputError`` whose
message starts with the field's name, and are re-raised the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from drf_standardized_errors.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from nnweb.core.throttles import HeavyRateThrottle

from ..panels.inputs import LessonInputError


class LessonSerializer(serializers.Serializer):
    """Refuses fields the computation does not take (a typo must not be silently ignored)."""

    def to_internal_value(self, data: Any) -> dict:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                accepted = ", ".join(self.fields) or "none"
                raise ValidationError(
                    {name: [f"unknown field; accepted: {accepted}"] for name in unknown}
                )
        return super().to_internal_value(data)


def any_value(default: Any, help_text: str) -> serializers.JSONField:
    """A field whose value may be a number, a name or an array: the computation checks it."""
    return serializers.JSONField(required=False, default=default, help_text=help_text)


def field_error(exc: ValueError) -> ValidationError:
    """``"kernel: must be square"`` -> ValidationError({"kernel": ["must be square"]})."""
    text = str(exc)
    name, sep, rest = text.partition(": ")
    if sep and name.replace("_", "").replace("[", "").replace("]", "").isalnum():
        return ValidationError({name.split("[")[0]: [text]})
    return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [text]})


class LessonSchema(AutoSchema):
    """A lesson endpoint's response in the schema: its view's ``result_serializer``."""

    def get_response_serializers(self):
        return self.view.result_serializer


class LessonView(GenericAPIView):
    """POST the arguments, get the computation's JSON result (``result_serializer``'s shape)."""

    permission_classes = [AllowAny]  # the course's computations are open to every reader
    serializer_class: ClassVar[type[LessonSerializer]] = LessonSerializer
    result_serializer: ClassVar[type[serializers.Serializer]]  # results.py: what it answers
    schema = LessonSchema()
    compute: ClassVar[Callable[..., dict]]
    heavy: ClassVar[bool] = False

    def get_throttles(self):
        throttles = [t() for t in api_settings.DEFAULT_THROTTLE_CLASSES]
        if self.heavy:
            throttles.append(HeavyRateThrottle())
        return throttles

    def post(self, request: Request) -> Response:
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            result = self.compute(**s.validated_data)
        except ValueError as exc:  # LessonInputError, and the engine's own shape checks
            raise field_error(exc) from exc
        return Response(result)


__all__ = ["LessonSerializer", "LessonView", "LessonInputError", "any_value", "field_error"]
