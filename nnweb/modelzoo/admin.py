from django.contrib import admin

from .models import TrainedModel


@admin.register(TrainedModel)
class TrainedModelAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "task",
        "source",
        "owner",
        "visibility",
        "loadable",
        "size_bytes",
        "created",
    )
    list_filter = ("task", "source", "visibility", "loadable")
    search_fields = ("name", "owner__username")
    readonly_fields = ("folder", "onnx", "checkpoint", "size_bytes", "created")
