"""DRF permission classes of the classes app. Objects are a ``Class`` (views check them with
``check_object_permissions`` after fetching the class through ``selectors.class_for``, which
already turns away anyone who is neither an instructor nor a student of it with a 404)."""

from __future__ import annotations

from rest_framework.permissions import BasePermission, IsAuthenticated

from nnweb.core.permissions import IsInstructorOrReadOnly

from . import selectors


class SignedIn(IsAuthenticated):
    """Signed-in users. An anonymous visitor gets a 403 (session authentication sends no
    challenge header), which the schema documents for this class and not for DRF's own
    IsAuthenticated (drf-standardized-errors assumes a 401 there)."""

    message = "Sign in to use classes."


class InstructorsCreateClasses(IsInstructorOrReadOnly):
    """Members list their classes; only instructors create one."""

    message = "Only instructors may do this."


class IsClassInstructor(BasePermission):
    """The class's instructors (creator and co-instructors)."""

    message = "Only the instructors of this class may see or do this."

    def has_object_permission(self, request, view, obj) -> bool:
        return selectors.is_class_instructor(request.user, obj)


class IsClassOwner(BasePermission):
    """The instructor who created the class (co-instructors teach it but do not own it)."""

    message = "Only the instructor who created this class may do this."

    def has_object_permission(self, request, view, obj) -> bool:
        return selectors.is_class_owner(request.user, obj)


class IsClassStudent(BasePermission):
    """Students enrolled in the class."""

    message = "Only students of this class may do this."

    def has_object_permission(self, request, view, obj) -> bool:
        return selectors.is_class_student(request.user, obj)


class IsClassMember(BasePermission):
    """Instructors and students of the class."""

    message = "Only members of this class may see this."

    def has_object_permission(self, request, view, obj) -> bool:
        return selectors.is_class_instructor(request.user, obj) or selectors.is_class_student(
            request.user, obj
        )
