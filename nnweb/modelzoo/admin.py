from django.contrib import admin

from .models import TrainedModel


@admin.register(TrainedModel)
class TrainedModelAdmin(admin.ModelAdmin):
    list_display = ("name", "task", "source", "owner", "loadable", "size_bytes", "created")
    list_filter = ("task", "source", "loadable")
    search_fields = ("name", "owner__username")
    readonly_fields = ("folder", "onnx", "checkpoint", "size_bytes", "created")
