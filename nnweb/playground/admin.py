"""Admin for saved playground experiments and classroom links."""

from django.contrib import admin

from .models import ClassroomLink, Experiment


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "iteration", "updated")
    list_filter = ("updated",)
    search_fields = ("name", "owner__username")
    readonly_fields = ("created", "updated")


@admin.register(ClassroomLink)
class ClassroomLinkAdmin(admin.ModelAdmin):
    list_display = ("title", "token", "owner", "created")
    search_fields = ("title", "token", "owner__username")
    readonly_fields = ("created",)
