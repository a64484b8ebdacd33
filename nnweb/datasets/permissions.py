"""Who may do what with datasets, as DRF permission classes (the views declare them).

Reading goes through ``selectors.visible_datasets`` (a dataset you may not see is a 404, not a
403); these classes decide what a visitor who sees the list or a dataset may do besides reading.
"""

from __future__ import annotations

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import SAFE_METHODS, BasePermission

from nnweb.core.permissions import IsInstructorOrReadOnly

from .selectors import can_manage, manage_refusal


class UploadsByInstructors(IsInstructorOrReadOnly):
    """Everyone lists datasets; instructors upload them (anonymous visitors: sign in first)."""

    message = "Only instructors may upload datasets."

    def has_permission(self, request, view) -> bool:
        if request.method not in SAFE_METHODS and not request.user.is_authenticated:
            raise NotAuthenticated("Sign in to upload datasets.")
        return super().has_permission(request, view)


class ManagedByOwner(BasePermission):
    """The methods in the view's ``manage_actions`` ({method: action}) need ``can_manage``.

    Other methods are open to whoever sees the dataset.
    """

    def has_object_permission(self, request, view, obj) -> bool:
        action = getattr(view, "manage_actions", {}).get(request.method)
        if action is None or can_manage(request.user, obj):
            return True
        self.message = manage_refusal(action)
        return False
