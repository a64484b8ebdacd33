"""The playground's refusals: an action that cannot run says why, and names the field.

Handlers raise ``PlaygroundError`` (or ``config.ConfigError`` for a setting); the serializers
raise DRF's ValidationError. ``as_api_exception`` turns each into the DRF exception the REST
views answer in the API's one error shape (nnweb.core.errors), and ``ws_reply`` into the same
error items on the websocket: ``{"type": "error", "errors": [{"code", "detail", "attr"}]}``.
``attr`` is the field's path in the message (``config.hidden.1``, ``index``).
"""

from __future__ import annotations

import re

from drf_standardized_errors.formatter import flatten_errors
from rest_framework import exceptions

from .config import FIELD_NAMES, ConfigError

# Refusals answered 403 (the rest: 404 not_found, 409 for the session's state, else 400).
FORBIDDEN_CODES = ("forbidden", "limit")


class PlaygroundError(ValueError):
    """A refused action; the message is shown in the page."""

    def __init__(self, message: str, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def dotted(field: str) -> str:
    """A field path as the API writes it: ``hidden[1]`` -> ``hidden.1``."""
    return re.sub(r"\[(\d+)\]", r".\1", field)


class PlaygroundConflict(exceptions.APIException):
    """A stage refusal or a busy session: the request is fine, the session's state is not."""

    status_code = 409
    default_code = "conflict"


def as_api_exception(exc: Exception) -> exceptions.APIException:
    """The DRF exception answering a playground refusal (others are returned unchanged)."""
    if isinstance(exc, ConfigError):  # a setting is inside the body's "config"; "model" is not
        attr = dotted(exc.field)
        if attr.split(".")[0] in FIELD_NAMES:
            attr = f"config.{attr}"
        return exceptions.ValidationError({attr: [_detail(exc, "invalid")]})
    if not isinstance(exc, PlaygroundError):
        return exc
    # A dict detail names the field (its "attr") whatever the status.
    detail = {dotted(exc.field): [_detail(exc, exc.code)]} if exc.field else _detail(exc, exc.code)
    if exc.code == "not_found":
        return exceptions.NotFound(detail)
    if exc.code in FORBIDDEN_CODES:
        return exceptions.PermissionDenied(detail)
    if exc.code in ("stage", "rate_limited", "diverged"):
        return PlaygroundConflict(detail)
    return exceptions.ValidationError(detail if exc.field else [detail])


def _detail(exc: Exception, code: str) -> exceptions.ErrorDetail:
    return exceptions.ErrorDetail(str(exc), code=code)


def ws_reply(exc: Exception) -> dict:
    """A refusal as a websocket message, with the REST error items."""
    api = as_api_exception(exc)
    items = [
        {"code": e.code, "detail": e.detail, "attr": e.attr} for e in flatten_errors(api.detail)
    ]
    return {"type": "error", "errors": items}


def is_anonymous(user) -> bool:
    return user is None or not getattr(user, "is_authenticated", False)
