"""Roles and DRF permission classes shared by every app.

Roles: anonymous visitors, students (the "student" group, given at sign-up) and
instructors (the "instructor" group, or superusers). Use:

    from nnweb.core.permissions import IsInstructor, IsOwnerOrInstructor, is_instructor

`IsOwnerOrInstructor` looks for the owner in ``obj.owner`` (or the attribute named by the
view's ``owner_field``) and lets instructors through for every object.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, Group
from rest_framework.permissions import SAFE_METHODS, BasePermission

STUDENT_GROUP = "student"
INSTRUCTOR_GROUP = "instructor"


def is_instructor(user: Any) -> bool:
    """True for superusers and members of the instructor group."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_nnweb_is_instructor", None)
    if cached is None:
        cached = user.groups.filter(name=INSTRUCTOR_GROUP).exists()
        user._nnweb_is_instructor = cached
    return cached


def is_student(user: Any) -> bool:
    """True for signed-in users who are not instructors."""
    return bool(user is not None and user.is_authenticated and not is_instructor(user))


def role_of(user: Any) -> str:
    """'instructor', 'student' or 'anonymous'."""
    if is_instructor(user):
        return "instructor"
    if user is not None and user.is_authenticated:
        return "student"
    return "anonymous"


def get_group(name: str) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    return group


def owner_of(obj: Any, field: str = "owner") -> Any:
    return getattr(obj, field, None)


class DenyAll(BasePermission):
    """Nobody: the API's default (settings.REST_FRAMEWORK), so a view that states no
    ``permission_classes`` of its own is closed rather than open to all."""

    message = "This endpoint states no access rule, so it refuses everyone."

    def has_permission(self, request, view) -> bool:
        return False


class IsInstructor(BasePermission):
    """Only instructors (group "instructor" or superusers)."""

    message = "Only instructors may do this."

    def has_permission(self, request, view) -> bool:
        return is_instructor(request.user)


class IsInstructorOrReadOnly(BasePermission):
    """Everyone may read; only instructors may write."""

    message = "Only instructors may change this."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or is_instructor(request.user)


class IsOwnerOrInstructor(BasePermission):
    """Signed-in users reach their own objects; instructors reach every object."""

    message = "You can only access your own items."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        if is_instructor(request.user):
            return True
        field = getattr(view, "owner_field", "owner")
        owner = owner_of(obj, field)
        owner_id = getattr(owner, "pk", owner)
        return owner_id is not None and owner_id == request.user.pk
