"""Lesson 7 endpoints: activation, linear_collapse, relu_pool."""

from __future__ import annotations

from rest_framework import serializers

from ..panels import activations as panel
from . import results
from .base import LessonSerializer, LessonView

SEED = {"required": False, "default": 0, "min_value": 0, "max_value": 2**31 - 1}


class ActivationSerializer(LessonSerializer):
    name = serializers.ChoiceField(list(panel.ACTIVATION_NAMES), required=False, default="relu")
    alpha = serializers.FloatField(required=False, default=0.1, min_value=0.0, max_value=1.0)
    lo = serializers.FloatField(required=False, default=-4, min_value=-50, max_value=50)
    hi = serializers.FloatField(required=False, default=4, min_value=-50, max_value=50)
    n = serializers.IntegerField(required=False, default=161, min_value=2, max_value=401)


class ActivationView(LessonView):
    """f(u) and f′(u) on a grid, from the engine's activation table."""

    serializer_class = ActivationSerializer
    result_serializer = results.ActivationResultSerializer
    compute = staticmethod(panel.activation_samples)


class LinearCollapseSerializer(LessonSerializer):
    seed = serializers.IntegerField(**SEED)
    n_in = serializers.IntegerField(required=False, default=3, min_value=1, max_value=8)
    hidden = serializers.IntegerField(required=False, default=4, min_value=1, max_value=8)
    n_out = serializers.IntegerField(required=False, default=2, min_value=1, max_value=8)


class LinearCollapseView(LessonView):
    """Two linear layers equal one; with a ReLU between they do not."""

    serializer_class = LinearCollapseSerializer
    result_serializer = results.LinearCollapseResultSerializer
    compute = staticmethod(panel.linear_collapse)


class ReluPoolSerializer(LessonSerializer):
    seed = serializers.IntegerField(**SEED)
    side = serializers.IntegerField(required=False, default=6, min_value=2, max_value=12)
    size = serializers.IntegerField(required=False, default=2, min_value=1, max_value=12)


class ReluPoolView(LessonView):
    """ReLU commutes with max pooling, not with average pooling."""

    serializer_class = ReluPoolSerializer
    result_serializer = results.ReluPoolResultSerializer
    compute = staticmethod(panel.relu_pool_commute)


ENDPOINTS = {
    "activation": ActivationView,
    "linear_collapse": LinearCollapseView,
    "relu_pool": ReluPoolView,
}
