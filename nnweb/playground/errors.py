"""The playground's refusals: an action that cannot run says why, and names the field."""

from __future__ import annotations

from .config import ConfigError


class PlaygroundError(ValueError):
    """A refused action; the message is shown in the page."""

    def __init__(self, message: str, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def as_dict(self) -> dict:
        out = {"type": "error", "code": self.code, "message": self.message}
        if self.field:
            out["field"] = self.field
        return out


def error_reply(exc: Exception) -> dict:
    """The JSON reply of a refusal (PlaygroundError or ConfigError), the same on both wires."""
    if isinstance(exc, ConfigError):
        return {"type": "error", "code": "invalid", "field": exc.field, "message": str(exc)}
    return exc.as_dict()


def is_anonymous(user) -> bool:
    return user is None or not getattr(user, "is_authenticated", False)
