"""Who may do what with trained models, as DRF permission classes (the views declare them).

Reading goes through ``selectors.visible_models`` (a model you may not see is a 404, not a 403).
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS

from nnweb.core.permissions import IsInstructor, IsOwnerOrInstructor


class UploadsByInstructors(IsInstructor):
    """Everyone lists the models they may see; instructors upload .onnx files."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or super().has_permission(request, view)


class ChangedByOwnerOrInstructor(IsOwnerOrInstructor):
    """Whoever sees a model reads it; its owner or an instructor changes or deletes it."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or super().has_permission(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in SAFE_METHODS or super().has_object_permission(request, view, obj)
