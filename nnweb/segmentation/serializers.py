"""Serializers of the segmentation API: what each request may carry and what it returns.

The request serializers do all the checking (one image source, whole numbers in range, an image
that decodes), so the views only call the service with validated values.
"""

from __future__ import annotations

import random

from rest_framework import serializers

from . import services


def _checked(call, field: str):
    """Run a service check; its ImageRejected becomes a validation error on ``field``."""
    try:
        return call()
    except services.ImageRejected as exc:
        raise serializers.ValidationError({field: [str(exc)]}) from None


def whole_number(name: str, low: int, high: int, **kwargs) -> serializers.IntegerField:
    """An optional whole number in [low, high] whose errors say the range."""
    outside = f"{name}: must be between {low} and {high}."
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=low,
        max_value=high,
        error_messages={
            "invalid": f"{name}: expected a whole number.",
            "min_value": outside,
            "max_value": outside,
        },
        **kwargs,
    )


class GenerateRequestSerializer(serializers.Serializer):
    seed = whole_number("seed", 0, services.MAX_SEED, help_text="omit for a random image")

    def validate(self, attrs: dict) -> dict:
        if attrs.get("seed") is None:
            attrs["seed"] = random.SystemRandom().randint(0, services.MAX_SEED)
        return attrs


class RunRequestSerializer(serializers.Serializer):
    """One of image / image_base64 / sample / seed, and optionally model and score_threshold.

    ``validated_data["img"]`` is the decoded image (RGB PIL image)."""

    image = serializers.FileField(required=False, help_text="PNG or JPEG, <= 5 MB, <= 4096 px")
    image_base64 = serializers.CharField(
        required=False, allow_blank=True, help_text="data: URL or bare base64"
    )
    sample = whole_number(
        "sample", 0, len(services.SAMPLE_SEEDS) - 1, help_text="a sample image id"
    )
    seed = whole_number("seed", 0, services.MAX_SEED, help_text="seed of a generated image")
    model = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="model id (default: shipped)"
    )
    score_threshold = serializers.FloatField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=1,
        error_messages={
            "invalid": "score_threshold: expected a number between 0 and 1.",
            "min_value": "score_threshold: must be between 0 and 1.",
            "max_value": "score_threshold: must be between 0 and 1.",
        },
    )

    def validate(self, attrs: dict) -> dict:
        if attrs.get("image") is not None:
            upload = attrs["image"]
            attrs["img"] = _checked(lambda: services.decode_upload(upload), "image")
        elif attrs.get("image_base64"):
            text = attrs["image_base64"]
            attrs["img"] = _checked(lambda: services.decode_base64_image(text), "image_base64")
        elif attrs.get("sample") is not None:
            attrs["img"] = services.sample_image(attrs["sample"])
        elif attrs.get("seed") is not None:
            png = services.generate_shapes(attrs["seed"])[0]
            attrs["img"] = services.decode_image(png, "seed")
        else:
            message = (
                "No image: send a PNG/JPEG file as 'image', a canvas as 'image_base64', "
                "or choose a 'sample' or a generated 'seed'."
            )
            raise serializers.ValidationError({"image": [message]}, code="required")
        attrs["score_threshold"] = attrs.get("score_threshold") or 0.0
        attrs["model"] = attrs.get("model") or None
        return attrs


class SegmentationModelSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    source = serializers.ChoiceField(choices=["shipped", "modelzoo"])
    default = serializers.BooleanField()
    description = serializers.CharField()


class ModelsResponseSerializer(serializers.Serializer):
    models = SegmentationModelSerializer(many=True)


class SampleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    seed = serializers.IntegerField()
    url = serializers.CharField(help_text="the sample's PNG")


class SamplesResponseSerializer(serializers.Serializer):
    samples = SampleSerializer(many=True)


class TruthSerializer(serializers.Serializer):
    label = serializers.IntegerField()
    name = serializers.CharField()
    box = serializers.ListField(
        child=serializers.FloatField(), min_length=4, max_length=4, help_text="x0, y0, x1, y1"
    )


class GenerateResponseSerializer(serializers.Serializer):
    seed = serializers.IntegerField()
    image = serializers.CharField(help_text="the image as a PNG data: URL")
    truth = TruthSerializer(many=True)


class MaskSerializer(serializers.Serializer):
    """A mask as row-major run lengths: counts alternate 0-runs and 1-runs, 0s first."""

    size = serializers.ListField(
        child=serializers.IntegerField(), min_length=2, max_length=2, help_text="height, width"
    )
    counts = serializers.ListField(child=serializers.IntegerField())


class ImageSizeSerializer(serializers.Serializer):
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class RunResponseSerializer(serializers.Serializer):
    model = SegmentationModelSerializer()
    classes = serializers.ListField(child=serializers.CharField())
    image = ImageSizeSerializer()
    input_size = serializers.ListField(
        child=serializers.IntegerField(), min_length=2, max_length=2, help_text="height, width"
    )
    mask_size = serializers.ListField(
        child=serializers.IntegerField(), min_length=2, max_length=2, help_text="height, width"
    )
    mask_threshold = serializers.FloatField()
    count = serializers.IntegerField()
    boxes = serializers.ListField(
        child=serializers.ListField(
            child=serializers.FloatField(), min_length=4, max_length=4, help_text="x0, y0, x1, y1"
        )
    )
    labels = serializers.ListField(child=serializers.IntegerField())
    names = serializers.ListField(child=serializers.CharField())
    scores = serializers.ListField(child=serializers.FloatField())
    masks = MaskSerializer(many=True)
    provider = serializers.CharField()
    device = serializers.CharField()
    latency_ms = serializers.FloatField()
    total_ms = serializers.FloatField()
