"""Lesson 5 endpoints: param_count, equivariance."""

from __future__ import annotations

from rest_framework import serializers

from ..panels import convolution
from ..panels import why_cnns as panel
from . import results
from .base import LessonSerializer, LessonView, any_value


def _side(default: int, hi: int = 4096) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, default=default, min_value=1, max_value=hi)


class ParamCountSerializer(LessonSerializer):
    height = _side(28)
    width = _side(28)
    in_channels = _side(1, 1024)
    kernel = _side(3, 100_000)
    out_channels = _side(32)
    stride = _side(1, 100_000)
    padding = any_value("valid", '"valid", "same" or a whole number')


class ParamCountView(LessonView):
    """A conv layer's parameters against a dense layer's for the same C×H×W output."""

    serializer_class = ParamCountSerializer
    result_serializer = results.ParamCountResultSerializer
    compute = staticmethod(panel.param_count)


class EquivarianceSerializer(LessonSerializer):
    image = any_value(None, "a 2-D array (3 to 32 per side), or null for the sample scene")
    kernel = any_value(
        "edge_vertical", f"a preset ({', '.join(convolution.KERNEL_PRESETS)}) or a 2-D array"
    )
    dy = serializers.IntegerField(required=False, default=2)
    dx = serializers.IntegerField(required=False, default=3)


class EquivarianceView(LessonView):
    """conv(shift(x)) against shift(conv(x))."""

    serializer_class = EquivarianceSerializer
    result_serializer = results.EquivarianceResultSerializer
    compute = staticmethod(panel.equivariance)


ENDPOINTS = {"param_count": ParamCountView, "equivariance": EquivarianceView}
