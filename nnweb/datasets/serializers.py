"""DRF serializers of the datasets API."""

from __future__ import annotations

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
