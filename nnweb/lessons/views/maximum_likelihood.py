"""Lesson 1 endpoints: nll, gaussian_nll."""

from __future__ import annotations

from rest_framework import serializers

from ..panels import maximum_likelihood as panel
from . import results
from .base import LessonSerializer, LessonView, any_value


class NllSerializer(LessonSerializer):
    probs = any_value(
        list(panel.NOTES_PROBS), "2 to 10 class probabilities (the lesson's 0.7, 0.2, 0.1)"
    )
    true_class = serializers.IntegerField(required=False, default=0, min_value=0, max_value=9)


class NllView(LessonView):
    """−log p of the true class, equal to the cross-entropy against the one-hot target."""

    serializer_class = NllSerializer
    result_serializer = results.NllResultSerializer
    compute = staticmethod(panel.nll_classification)


class GaussianNllSerializer(LessonSerializer):
    y = any_value(list(panel.GAUSS_Y), "targets, 1 to 200 numbers")
    y_hat = any_value(list(panel.GAUSS_Y_HAT), "predictions ŷ, as many as y")
    sigma = serializers.FloatField(required=False, default=1.0, min_value=1e-3, max_value=1e3)


class GaussianNllView(LessonView):
    """Gaussian NLL = ½ SSE / σ² + N/2 log(2πσ²)."""

    serializer_class = GaussianNllSerializer
    result_serializer = results.GaussianNllResultSerializer
    compute = staticmethod(panel.gaussian_nll)


class MleVarianceSerializer(LessonSerializer):
    sigma = serializers.FloatField(required=False, default=1.0, min_value=0.1, max_value=10)
    sizes = any_value(list(panel.MLE_SIZES), "1 to 12 sample sizes N, each 2 to 1000")
    repeats = serializers.IntegerField(required=False, default=2000, min_value=10, max_value=5000)
    seed = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)


class MleVarianceView(LessonView):
    """The Gaussian variance MLE by simulation: its mean against N shows the (N−1)/N bias."""

    serializer_class = MleVarianceSerializer
    result_serializer = results.MleVarianceResultSerializer
    compute = staticmethod(panel.mle_variance)


ENDPOINTS = {"nll": NllView, "gaussian_nll": GaussianNllView, "mle_variance": MleVarianceView}
