"""Lesson 6 endpoints: conv2d, conv_image, conv_volume, conv1d, output_size."""

from __future__ import annotations

from rest_framework import serializers

from ..panels import convolution as panel
from ..panels.images import IMAGE_SOURCES
from . import results
from .base import LessonSerializer, LessonView, any_value

PADDING_HELP = '"valid", "same" or a whole number of zero cells on each side'


class Conv2dSerializer(LessonSerializer):
    image = any_value(panel.NOTES_IMAGE_5X5, "2-D array, at most 16x16 (the notes' 5x5)")
    kernel = any_value(panel.NOTES_KERNEL_X, "square 2-D array, at most 7x7 (the notes' X)")
    stride = serializers.IntegerField(required=False, default=1, min_value=1, max_value=8)
    padding = any_value("valid", PADDING_HELP)


class Conv2dView(LessonView):
    """Slide the kernel over the image and spell out every window (the notes' 5x5 example)."""

    serializer_class = Conv2dSerializer
    result_serializer = results.Conv2dResultSerializer
    compute = staticmethod(panel.conv2d)


class ConvImageSerializer(LessonSerializer):
    kernel = any_value("edges", f"a preset ({', '.join(panel.KERNEL_PRESETS)}) or a 2-D array")
    image = any_value(None, "a 2-D array, or null for the chosen source image")
    padding = serializers.ChoiceField(["valid", "same"], required=False, default="same")
    source = serializers.ChoiceField(list(IMAGE_SOURCES), required=False, default="scene")
    index = serializers.IntegerField(required=False, default=0, min_value=0, max_value=1000)


class ConvImageView(LessonView):
    """A preset or given kernel applied to a real grey image."""

    serializer_class = ConvImageSerializer
    result_serializer = results.ConvImageResultSerializer
    compute = staticmethod(panel.conv_image)


class ConvVolumeSerializer(LessonSerializer):
    image = any_value(None, "a 2-D array, or null for the sample scene")
    kernels = any_value(None, "a 3-D array of square kernels, or null for four presets")


class ConvVolumeView(LessonView):
    """Several filters over one image, one depth slice each (a C×H×W volume)."""

    serializer_class = ConvVolumeSerializer
    result_serializer = results.ConvVolumeResultSerializer
    compute = staticmethod(panel.conv_volume)


class Conv1dSerializer(LessonSerializer):
    signal = any_value(None, "a 1-D array, or null for the sample signal")
    kernel = any_value(None, "a 1-D array, or null for (0.1, 0.2, 0.4, 0.2, 0.1)")


class Conv1dView(LessonView):
    """1-D convolution (kernel flipped) against the cross-correlation a CNN computes."""

    serializer_class = Conv1dSerializer
    result_serializer = results.Conv1dResultSerializer
    compute = staticmethod(panel.conv1d)


class OutputSizeSerializer(LessonSerializer):
    width = serializers.IntegerField(required=False, default=5, min_value=1, max_value=100_000)
    kernel = serializers.IntegerField(required=False, default=3, min_value=1, max_value=100_000)
    padding = any_value("valid", PADDING_HELP)
    stride = serializers.IntegerField(required=False, default=1, min_value=1, max_value=100_000)


class OutputSizeView(LessonView):
    """floor((W − K + 2P) / S) + 1, with a warning when the stride does not fit."""

    serializer_class = OutputSizeSerializer
    result_serializer = results.OutputSizeResultSerializer
    compute = staticmethod(panel.output_size)


ENDPOINTS = {
    "conv2d": Conv2dView,
    "conv_image": ConvImageView,
    "conv_volume": ConvVolumeView,
    "conv1d": Conv1dView,
    "output_size": OutputSizeView,
}
