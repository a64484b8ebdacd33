"""Lesson 9 endpoints: cnn_train (trains, so it is rate-limited harder)."""

from __future__ import annotations

from rest_framework import serializers

from ..panels import fully_connected as panel
from . import results
from .base import LessonSerializer, LessonView


class CnnTrainSerializer(LessonSerializer):
    dataset = serializers.ChoiceField(list(panel.CNN_DATASETS), required=False, default="digits")
    epochs = serializers.IntegerField(required=False, default=4, min_value=1, max_value=15)
    lr = serializers.FloatField(required=False, default=0.3, min_value=1e-4, max_value=2)
    filters = serializers.IntegerField(required=False, default=6, min_value=1, max_value=8)
    seed = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10_000)


class CnnTrainView(LessonView):
    """Train a small CNN on digits or shapes; history, feature maps, confusion matrix."""

    serializer_class = CnnTrainSerializer
    result_serializer = results.CnnTrainResultSerializer
    compute = staticmethod(panel.cnn_train)
    heavy = True


ENDPOINTS = {"cnn_train": CnnTrainView}
