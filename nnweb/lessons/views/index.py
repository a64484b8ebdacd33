"""The lessons' endpoint table and ``GET /api/lessons/``: every endpoint with its arguments,
their defaults and what it computes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import (
    activations,
    convolution,
    fully_connected,
    mask_rcnn,
    maximum_likelihood,
    pooling,
    propagation,
    sgd,
    why_cnns,
)
from .base import LessonView

ENDPOINTS: dict[str, type[LessonView]] = {
    **maximum_likelihood.ENDPOINTS,
    **propagation.ENDPOINTS,
    **sgd.ENDPOINTS,
    **why_cnns.ENDPOINTS,
    **convolution.ENDPOINTS,
    **activations.ENDPOINTS,
    **pooling.ENDPOINTS,
    **fully_connected.ENDPOINTS,
    **mask_rcnn.ENDPOINTS,
}


class LessonEndpointSerializer(serializers.Serializer):
    url = serializers.URLField()
    method = serializers.ChoiceField(choices=["POST"])
    arguments = serializers.DictField(
        child=serializers.JSONField(), help_text="each argument's default (null: computed)"
    )
    doc = serializers.CharField()


LessonIndexSerializer = type(
    "LessonIndexSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "Every lesson endpoint, by name.",
        "__module__": __name__,
        **{name: LessonEndpointSerializer() for name in ENDPOINTS},
    },
)


class LessonIndexView(APIView):
    """Every lesson endpoint with its arguments, their defaults and what it computes."""

    permission_classes = [AllowAny]  # every reader of the course

    @extend_schema(responses=LessonIndexSerializer)
    def get(self, request: Request) -> Response:
        out = {}
        for name, view in ENDPOINTS.items():
            fields = view.serializer_class().fields
            out[name] = {
                "url": request.build_absolute_uri(f"{name}/"),
                "method": "POST",
                "arguments": {
                    f: (None if field.default is empty else field.default)
                    for f, field in fields.items()
                },
                "doc": (view.__doc__ or "").strip(),
            }
        return Response(out)
