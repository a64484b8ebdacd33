"""Lesson 10 endpoints: roi, mask_head."""

from __future__ import annotations

from rest_framework import serializers

from ..panels import mask_rcnn as panel
from . import results
from .base import LessonSerializer, LessonView


class RoiSerializer(LessonSerializer):
    size = serializers.IntegerField(required=False, default=17, min_value=2, max_value=32)
    output = serializers.IntegerField(required=False, default=7, min_value=1, max_value=14)
    method = serializers.ChoiceField(["roi_pool", "roi_align"], required=False, default="roi_pool")
    sampling_ratio = serializers.IntegerField(required=False, default=2, min_value=1, max_value=4)
    mode = serializers.ChoiceField(["avg", "max"], required=False, default="avg")


class RoiView(LessonView):
    """A size×size RoI pooled to output×output: bins, dropped cells or bilinear samples."""

    serializer_class = RoiSerializer
    result_serializer = results.RoiResultSerializer
    compute = staticmethod(panel.roi_explain)


class MaskHeadSerializer(LessonSerializer):
    m = serializers.IntegerField(required=False, default=14, min_value=4, max_value=28)
    true_class = serializers.IntegerField(required=False, default=2, min_value=1, max_value=3)
    seed = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10_000)


class MaskHeadView(LessonView):
    """The mask head's m×m map per class for one RoI; only the true class's enters the loss."""

    serializer_class = MaskHeadSerializer
    result_serializer = results.MaskHeadResultSerializer
    compute = staticmethod(panel.mask_head_demo)


class InspectSerializer(LessonSerializer):
    image = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=panel.SAMPLE_IMAGES - 1
    )
    top = serializers.IntegerField(required=False, default=8, min_value=1, max_value=20)


class InspectView(LessonView):
    """The shipped Mask R-CNN on a sample image, stage by stage, computed by the engine."""

    serializer_class = InspectSerializer
    result_serializer = results.MaskRcnnInspectResultSerializer
    compute = staticmethod(panel.mask_rcnn_inspect)


ENDPOINTS = {"roi": RoiView, "mask_head": MaskHeadView, "mask_rcnn_inspect": InspectView}
