"""DRF serializers of the datasets API."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from .models import Dataset


class DatasetSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    class_names = serializers.ListField(child=serializers.CharField(), read_only=True)
    input_shape = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    feature_names = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = [
            "id",
            "name",
            "description",
            "owner",
            "kind",
            "task",
            "target",
            "visibility",
            "original_name",
            "size_bytes",
            "n_samples",
            "class_names",
            "input_shape",
            "feature_names",
            "stats",
            "created",
        ]
        read_only_fields = fields

    def get_feature_names(self, obj: Dataset) -> list[str]:
        return list(obj.meta.get("feature_names") or [])


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV, zip of class folders, .npz, or COCO image zip")
    annotations = serializers.FileField(required=False, help_text="COCO annotations (.json)")
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    format = serializers.ChoiceField(
        choices=["", "csv", "image_zip", "npz", "coco"], required=False, allow_blank=True
    )
    target = serializers.CharField(required=False, allow_blank=True, max_length=200)
    task = serializers.ChoiceField(
        choices=["classification", "regression"], required=False, default="classification"
    )
    visibility = serializers.ChoiceField(
        choices=Dataset.Visibility.choices, required=False, default="private"
    )
    image_size = serializers.IntegerField(required=False, min_value=4, max_value=512)
    color = serializers.ChoiceField(
        choices=["auto", "grayscale", "rgb"], required=False, default="auto"
    )


class UpdateSerializer(serializers.Serializer):
    visibility = serializers.ChoiceField(choices=Dataset.Visibility.choices, required=False)
    name = serializers.CharField(required=False, max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)


# --- GET /api/datasets/<id>/preview/ (services.preview): one shape per kind -----------------
class _PreviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    task = serializers.ChoiceField(choices=Dataset.Task.choices)
    stats = serializers.JSONField(help_text="as in the data set's own record")
    n_samples = serializers.IntegerField()


class TabularPreviewSerializer(_PreviewSerializer):
    """A CSV: its header and first rows, as uploaded (every cell a string)."""

    kind = serializers.ChoiceField(choices=[Dataset.Kind.TABULAR.value])
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class PreviewClassSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    samples = serializers.ListField(
        child=serializers.IntegerField(), help_text="sample indices (their PNGs: .../sample/<i>/)"
    )

    def get_fields(self):
        # "class" is a Python keyword, so it cannot be declared as a class attribute
        return {"class": serializers.CharField(help_text="the class name"), **super().get_fields()}


class ImageClassificationPreviewSerializer(_PreviewSerializer):
    """Images by class: the first samples of each."""

    kind = serializers.ChoiceField(choices=[Dataset.Kind.IMAGE_CLASSIFICATION.value])
    classes = PreviewClassSerializer(many=True)


class PreviewImageSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    file = serializers.CharField(allow_blank=True)
    instances = serializers.ListField(child=serializers.CharField(), help_text="class names")


class InstanceSegmentationPreviewSerializer(_PreviewSerializer):
    """COCO images with the classes of their instances (masks: .../sample/<i>/?overlay=1)."""

    kind = serializers.ChoiceField(choices=[Dataset.Kind.INSTANCE_SEGMENTATION.value])
    images = PreviewImageSerializer(many=True)
    class_names = serializers.ListField(child=serializers.CharField())


PREVIEW = PolymorphicProxySerializer(
    component_name="DatasetPreview",
    serializers={
        Dataset.Kind.TABULAR.value: TabularPreviewSerializer,
        Dataset.Kind.IMAGE_CLASSIFICATION.value: ImageClassificationPreviewSerializer,
        Dataset.Kind.INSTANCE_SEGMENTATION.value: InstanceSegmentationPreviewSerializer,
    },
    resource_type_field_name="kind",
)
"""What the preview page shows, by the data set's ``kind``."""
