"""Training runs: what to train, how, and how far it has got (written by the db_worker)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TrainingRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_runs"
    )
    # Either an uploaded dataset or a built-in one (nnweb.training.builtins).
    dataset = models.ForeignKey(
        "datasets.Dataset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_runs",
    )
    builtin = models.CharField(max_length=64, blank=True, default="")
    dataset_name = models.CharField(max_length=200, blank=True, default="")
    task = models.CharField(max_length=32, default="classification")
    network = models.JSONField(default=dict)
    engine_spec = models.JSONField(default=dict, blank=True)
    optimizer = models.JSONField(default=dict)
    n_params = models.PositiveIntegerField(default=0)
    class_names = models.JSONField(default=list, blank=True)

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    reason = models.TextField(blank=True, default="")
    cancel_requested = models.BooleanField(default=False)
    task_id = models.CharField(max_length=64, blank=True, default="")
    max_seconds = models.PositiveIntegerField(default=0)

    # Progress, written by the worker as it trains.
    epoch = models.PositiveIntegerField(default=0)
    total_epochs = models.PositiveIntegerField(default=0)
    step = models.PositiveIntegerField(default=0)
    total_steps = models.PositiveIntegerField(default=0)
    train_loss = models.FloatField(null=True, blank=True)
    val_loss = models.FloatField(null=True, blank=True)
    accuracy = models.FloatField(null=True, blank=True)
    ap = models.FloatField(null=True, blank=True)
    history = models.JSONField(default=list, blank=True)
    confusion = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)

    created = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    # What the run produced: files under MEDIA_ROOT/training/<id>/ and the model-zoo entry.
    checkpoint = models.CharField(max_length=255, blank=True, default="")
    onnx = models.CharField(max_length=255, blank=True, default="")
    result_model = models.ForeignKey(
        "modelzoo.TrainedModel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_runs",
    )

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.dataset_name}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED


class WorkerBeat(models.Model):
    """The last sign of life of one ``manage.py worker`` process (its sweeper writes it).

    A task row another worker left RUNNING is closed when that worker's beat is older than the
    heartbeat timeout (``heartbeat.sweep_lost_tasks``): this is how a demo job, which has no
    run of its own to carry a heartbeat, is not left "running" forever by a killed worker.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} at {self.beat_at:%H:%M:%S}"
