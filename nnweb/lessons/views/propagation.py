"""Lessons 2 and 3 endpoints: network_trace."""

from __future__ import annotations

from rest_framework import serializers

from ..panels import propagation as panel
from . import results
from .base import LessonSerializer, LessonView, any_value


class NetworkTraceSerializer(LessonSerializer):
    x = any_value([0.5, -1.0], "the two inputs")
    y = any_value(1, "the class (0 or 1) for cross-entropy, a number for half_sse")
    activation = serializers.ChoiceField(
        ["sigmoid", "tanh", "relu", "leaky_relu"], required=False, default="sigmoid"
    )
    loss = serializers.ChoiceField(
        ["cross_entropy", "half_sse"], required=False, default="cross_entropy"
    )
    lr = serializers.FloatField(required=False, default=0.5, min_value=1e-6, max_value=100)
    seed = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)


class NetworkTraceView(LessonView):
    """One sample through a 2-3-K network, forward and backward, and one SGD update."""

    serializer_class = NetworkTraceSerializer
    result_serializer = results.NetworkTraceResultSerializer
    compute = staticmethod(panel.network_trace)


class BackpropGraphSerializer(LessonSerializer):
    x = any_value([0.5, -1.0], "the two inputs x1, x2")
    w = any_value([0.8, -0.4], "the two weights w1, w2")
    b = serializers.FloatField(required=False, default=0.1, min_value=-100, max_value=100)
    y = serializers.FloatField(required=False, default=1.0, min_value=-100, max_value=100)


class BackpropGraphView(LessonView):
    """One sigmoid unit as a computational graph: values forward, gradients node by node back."""

    serializer_class = BackpropGraphSerializer
    result_serializer = results.BackpropGraphResultSerializer
    compute = staticmethod(panel.backprop_graph)


ENDPOINTS = {"network_trace": NetworkTraceView, "backprop_graph": BackpropGraphView}
