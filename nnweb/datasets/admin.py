from django.contrib import admin

from .models import Dataset


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "task",
        "owner",
        "visibility",
        "n_samples",
        "size_bytes",
        "created",
    )
    list_filter = ("kind", "task", "visibility")
    search_fields = ("name", "original_name", "owner__username")
    readonly_fields = ("folder", "original", "annotations", "arrays", "size_bytes", "created")
