"""Who may do what with training runs, as DRF permission classes (the views declare them).

Reading goes through ``selectors.visible_runs`` (a run you may not see is a 404, not a 403).
"""

from __future__ import annotations

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .selectors import CANCEL_REFUSAL, can_cancel


class SignedInToTrain(BasePermission):
    """Anyone lists the runs they may see; starting one needs an account (its quota)."""

    def has_permission(self, request, view) -> bool:
        if request.method not in SAFE_METHODS and not request.user.is_authenticated:
            raise NotAuthenticated("Sign in to train networks.")
        return True


class MayCancel(BasePermission):
    """A run's owner or an instructor cancels it (``selectors.can_cancel``)."""

    message = CANCEL_REFUSAL

    def has_object_permission(self, request, view, obj) -> bool:
        return can_cancel(request.user, obj)
