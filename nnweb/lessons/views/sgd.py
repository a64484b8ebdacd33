"""Lesson 4 endpoints: sgd_compare, lr_compare (they train, so they are rate-limited harder)."""

from __future__ import annotations

from rest_framework import serializers

from ..panels import sgd as panel
from . import results
from .base import LessonSerializer, LessonView, any_value


class SgdCompareSerializer(LessonSerializer):
    lr = serializers.FloatField(required=False, default=0.3, min_value=1e-4, max_value=10)
    epochs = serializers.IntegerField(required=False, default=15, min_value=1, max_value=30)
    seed = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10_000)
    n = serializers.IntegerField(required=False, default=128, min_value=16, max_value=160)


class SgdCompareView(LessonView):
    """The same network trained with m = 1, m = 16 and the full batch."""

    serializer_class = SgdCompareSerializer
    result_serializer = results.SgdCompareResultSerializer
    compute = staticmethod(panel.sgd_compare)
    heavy = True


class LrCompareSerializer(LessonSerializer):
    rates = any_value([0.005, 0.5, 20.0], "1 to 4 learning rates")
    batch_size = serializers.IntegerField(required=False, default=16, min_value=4, max_value=128)
    epochs = serializers.IntegerField(required=False, default=20, min_value=1, max_value=30)
    seed = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10_000)


class LrCompareView(LessonView):
    """One mini-batch size, several learning rates."""

    serializer_class = LrCompareSerializer
    result_serializer = results.LrCompareResultSerializer
    compute = staticmethod(panel.lr_compare)
    heavy = True


ENDPOINTS = {"sgd_compare": SgdCompareView, "lr_compare": LrCompareView}
