"""Template context shared by every page (navigation and the visitor's role)."""

from __future__ import annotations

from django.http import HttpRequest

from frontend.course import COURSE
from nnweb.core.permissions import role_of


def nnweb(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    role = role_of(user)
    return {
        "course_sections": COURSE,
        "user_role": role,
        "user_is_instructor": role == "instructor",
    }
