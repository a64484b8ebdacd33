"""Page-view decorators for roles.

    from nnweb.core.decorators import instructor_required

    @instructor_required
    def upload(request): ...

Anonymous visitors are sent to the login page; signed-in non-instructors get 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from nnweb.core.permissions import is_instructor


def instructor_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_instructor(request.user):
            raise PermissionDenied("This page is for instructors.")
        return view(request, *args, **kwargs)

    return wrapper
