"""DRF serializers of the modelzoo API."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from .models import TrainedModel


class TrainedModelSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    class_names = serializers.ListField(child=serializers.CharField(), read_only=True)
    input_shape = serializers.ListField(
        child=serializers.IntegerField(allow_null=True), read_only=True
    )
    has_checkpoint = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    playground_url = serializers.SerializerMethodField()
    can_delete = serializers.SerializerMethodField()

    class Meta:
        model = TrainedModel
        fields = [
            "id",
            "name",
            "description",
            "owner",
            "task",
            "source",
            "created",
            "metrics",
            "class_names",
            "input_shape",
            "input_layout",
            "size_bytes",
            "loadable",
            "load_error",
            "spec",
            "has_checkpoint",
            "download_url",
            "playground_url",
            "can_delete",
        ]
        read_only_fields = fields

    def get_has_checkpoint(self, obj: TrainedModel) -> bool:
        return bool(obj.checkpoint)

    def get_download_url(self, obj: TrainedModel) -> str:
        return reverse("modelzoo-api:download", args=[obj.pk])

    def get_playground_url(self, obj: TrainedModel) -> str | None:
        return obj.playground_url

    def get_can_delete(self, obj: TrainedModel) -> bool:
        from .services import can_manage

        request = self.context.get("request")
        return bool(request and can_manage(request.user, obj))


class ModelUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="an .onnx model (at most 50 MB, self-contained)")
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    task = serializers.ChoiceField(
        choices=TrainedModel.Task.values, required=False, default="classification"
    )
