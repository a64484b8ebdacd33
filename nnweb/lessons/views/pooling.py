"""Lesson 8 endpoints: pool."""

from __future__ import annotations

from rest_framework import serializers

from ..panels import pooling as panel
from . import results
from .base import LessonSerializer, LessonView, any_value


class PoolSerializer(LessonSerializer):
    x = any_value(panel.NOTES_POOL_4X4, "(H, W) or (C, H, W) array (the notes' 4x4)")
    mode = serializers.ChoiceField(["max", "avg"], required=False, default="max")
    size = serializers.IntegerField(required=False, default=2, min_value=1, max_value=8)
    stride = serializers.IntegerField(
        required=False, default=None, allow_null=True, min_value=1, max_value=8,
        help_text="null = the window size",
    )  # fmt: skip
    upstream = any_value(None, "dE/dy, the pooled output's shape; null = all ones")


class PoolView(LessonView):
    """Max or average pooling with the gradient routed back."""

    serializer_class = PoolSerializer
    result_serializer = results.PoolResultSerializer
    compute = staticmethod(panel.pool)


class PoolShiftSerializer(LessonSerializer):
    x = any_value(None, "a 2-D array, or null for the 8x8 example")
    dy = serializers.IntegerField(required=False, default=0, min_value=-2, max_value=2)
    dx = serializers.IntegerField(required=False, default=1, min_value=-2, max_value=2)
    mode = serializers.ChoiceField(["max", "avg"], required=False, default="max")
    size = serializers.IntegerField(required=False, default=2, min_value=1, max_value=4)


class PoolShiftView(LessonView):
    """Shift the input by a pixel and compare the pooled outputs (small-translation invariance)."""

    serializer_class = PoolShiftSerializer
    result_serializer = results.PoolShiftResultSerializer
    compute = staticmethod(panel.pool_shift)


ENDPOINTS = {"pool": PoolView, "pool_shift": PoolShiftView}
