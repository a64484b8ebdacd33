"""Trained models: an ONNX file (served by onnxruntime, opens in Netron) and, for networks
trained by nnweb, the engine checkpoint (.npz with the architecture spec) it came from."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.urls import reverse

from nnweb.datasets.models import Dataset


class TrainedModel(models.Model):
    # The task of the dataset a model was trained on: one vocabulary, one spelling.
    Task = Dataset.Task

    class Source(models.TextChoices):
        TRAINED = "trained", "Trained in nnweb"
        UPLOADED = "uploaded", "Uploaded .onnx"

    # Same vocabulary as datasets: private (owner + instructors), students (signed-in users),
    # public (everyone, anonymous visitors included). See modelzoo.selectors.visible_models.
    Visibility = Dataset.Visibility

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trained_models"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    task = models.CharField(max_length=32, choices=Task.choices)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.TRAINED)
    # Private unless someone says otherwise (the safe default): published models and
    # training runs' outputs start private; instructors' uploads pass "public" explicitly.
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    created = models.DateTimeField(auto_now_add=True)
    metrics = models.JSONField(default=dict, blank=True)
    # Files live under MEDIA_ROOT/modelzoo/<folder>/: model.onnx and, if any, checkpoint.npz.
    folder = models.CharField(max_length=64, unique=True)
    onnx = models.FileField(max_length=255)
    checkpoint = models.FileField(max_length=255, blank=True, default="")
    spec = models.JSONField(default=dict, blank=True)  # engine architecture (net.spec())
    class_names = models.JSONField(default=list, blank=True)
    input_shape = models.JSONField(default=list, blank=True)  # per sample; null = dynamic
    input_layout = models.CharField(max_length=8, blank=True, default="")  # "ND" / "NCHW"
    size_bytes = models.BigIntegerField(default=0)
    # Whether engine.onnx.load turns the file into an engine network (playground), and why not.
    loadable = models.BooleanField(default=False)
    load_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["task", "-created"]),
            models.Index(fields=["owner"]),
            models.Index(fields=["visibility"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_task_display()})"

    @property
    def playground_url(self) -> str | None:
        return f"/playground/?model={self.pk}" if self.loadable else None

    @property
    def segmentation_id(self) -> str:
        """How the segmentation demo names this model (its ``?model=`` value)."""
        return f"zoo-{self.pk}"

    @property
    def segmentation_url(self) -> str | None:
        """The segmentation demo with this model preselected (instance-segmentation models)."""
        if self.task != self.Task.INSTANCE_SEGMENTATION:
            return None
        return f"{reverse('segmentation')}?{urlencode({'model': self.segmentation_id})}"
