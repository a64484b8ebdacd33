"""Datasets that instructors upload: the original file, the processed arrays and stats."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Dataset(models.Model):
    class Kind(models.TextChoices):
        TABULAR = "tabular", "Tabular (CSV)"
        IMAGE_CLASSIFICATION = "image_classification", "Image classification"
        INSTANCE_SEGMENTATION = "instance_segmentation", "Instance segmentation (COCO)"

    class Task(models.TextChoices):
        CLASSIFICATION = "classification", "Classification"
        REGRESSION = "regression", "Regression"
        # Also TrainedModel.Task: a run carries its dataset's task to the model it publishes.
        INSTANCE_SEGMENTATION = "instance_segmentation", "Instance segmentation"

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private (only me)"
        STUDENTS = "students", "Visible to students"
        PUBLIC = "public", "Public (everyone)"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="datasets"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    task = models.CharField(max_length=32, choices=Task.choices)
    target = models.CharField(max_length=200, blank=True, default="")
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # Files live under MEDIA_ROOT/datasets/<folder>/: the original upload(s) and arrays.npz.
    folder = models.CharField(max_length=64, unique=True)
    original_name = models.CharField(max_length=255)
    original = models.FileField(max_length=255)
    annotations = models.FileField(max_length=255, blank=True, default="")
    arrays = models.FileField(max_length=255)
    size_bytes = models.BigIntegerField(default=0)
    n_samples = models.PositiveIntegerField(default=0)
    meta = models.JSONField(default=dict, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["visibility"]), models.Index(fields=["owner", "-created"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def class_names(self) -> list[str]:
        return list(self.meta.get("class_names") or [])

    @property
    def input_shape(self) -> list[int]:
        """Shape of one sample: [n_features] or [C, H, W]."""
        if "image_shape" in self.meta:
            return list(self.meta["image_shape"])
        return [int(self.meta.get("n_features", 0))]
