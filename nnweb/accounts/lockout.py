"""What a locked-out sign-in gets (django-axes' AXES_LOCKOUT_CALLABLE): when to try again."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.http import HttpResponse

from nnweb.core.errors import error_response, is_api


def lockout_message(request=None) -> str:
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    when = f"in {minutes} minute{'s' if minutes != 1 else ''}" if minutes else "later"
    return (
        "Too many failed sign-ins for this user name from your address. "
        f"Try again {when}, or ask an instructor to reset your password."
    )


def retry_after_seconds(request=None) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """429 with the message: JSON under /api/, plain text for the login form."""
    if is_api(request):
        response = error_response(429, "locked_out", lockout_message(request))
    else:
        response = HttpResponse(
            lockout_message(request), status=429, content_type="text/plain; charset=utf-8"
        )
    response["Retry-After"] = str(retry_after_seconds(request))
    return response
