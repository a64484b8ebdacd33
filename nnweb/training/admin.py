from django.contrib import admin

from .models import TrainingRun, WorkerBeat


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "dataset_name",
        "task",
        "owner",
        "status",
        "epoch",
        "total_epochs",
        "accuracy",
        "created",
        "finished_at",
    )
    list_filter = ("status", "task", "cancel_requested")
    search_fields = ("=id", "dataset_name", "owner__username", "task_id")
    # Written by the worker as it trains: shown, never edited by hand.
    readonly_fields = (
        "task_id",
        "epoch",
        "step",
        "total_steps",
        "train_loss",
        "val_loss",
        "accuracy",
        "ap",
        "history",
        "confusion",
        "metrics",
        "version",
        "created",
        "started_at",
        "finished_at",
        "heartbeat_at",
        "checkpoint",
        "onnx",
        "result_model",
    )


@admin.register(WorkerBeat)
class WorkerBeatAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "beat_at")
    search_fields = ("worker_id",)
    ordering = ("-beat_at",)
