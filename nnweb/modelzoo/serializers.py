"""DRF serializers of the modelzoo API."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from .models import TrainedModel
from .selectors import allowed_visibilities, can_manage


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
    visibility_options = serializers.SerializerMethodField(
        help_text="the visibilities the requesting user may give this model (PATCH)"
    )

    class Meta:
        model = TrainedModel
        fields = [
            "id",
            "name",
            "description",
            "owner",
            "task",
            "source",
            "visibility",
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
            "visibility_options",
        ]
        read_only_fields = fields

    def get_has_checkpoint(self, obj: TrainedModel) -> bool:
        return bool(obj.checkpoint)

    def get_download_url(self, obj: TrainedModel) -> str:
        return reverse("modelzoo-api:download", args=[obj.pk])

    def get_playground_url(self, obj: TrainedModel) -> str | None:
        return obj.playground_url

    def get_can_delete(self, obj: TrainedModel) -> bool:
        request = self.context.get("request")
        return bool(request and can_manage(request.user, obj))

    def get_visibility_options(self, obj: TrainedModel) -> list[str]:
        request = self.context.get("request")
        return allowed_visibilities(request.user, obj) if request else []


class ModelUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="an .onnx model (at most 50 MB, self-contained)")
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    task = serializers.ChoiceField(
        choices=TrainedModel.Task.choices, required=False, default="classification"
    )
    visibility = serializers.ChoiceField(
        choices=TrainedModel.Visibility.choices,
        required=False,
        default=TrainedModel.Visibility.PUBLIC,
        help_text="who sees the model: private (owner and instructors), students, public",
    )


class ModelUpdateSerializer(serializers.Serializer):
    """PATCH body: only the visibility can change; any other field is refused by name."""

    visibility = serializers.ChoiceField(
        choices=TrainedModel.Visibility.choices,
        error_messages={
            "invalid_choice": f"must be one of {', '.join(TrainedModel.Visibility.values)}, "
            "not {input!r}"
        },
        help_text="private (owner and instructors), students (signed-in users) or public; "
        "only instructors may choose students or public",
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {unknown[0]: ["cannot be changed (only visibility can)"]}, code="read_only"
                )
        return super().to_internal_value(data)
