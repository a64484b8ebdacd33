"""Helpers shared by the REST views and the pages of the datasets, modelzoo and training apps.

- :func:`get_or_404` — one row of a queryset the user may see, or a 404 that says what is missing.
- :func:`require` — refuse with 403 and a message naming who may do it.
- :func:`invalid_form` — a serializer's errors raised as the API's 400 (nnweb.core.errors).
- :func:`attachment` — stream a stored file as a download.

Both exceptions are Django's own, so the same helper serves a DRF view (the exception handler
turns them into the API's error JSON with 404/403, keeping the message) and a page (Django
renders 404.html/403.html).

Uploaded datasets, checkpoints and ONNX files are only ever handed out through
:func:`attachment`, after the calling view has checked who may read them; MEDIA_ROOT itself must
not be served as a public URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404
from rest_framework.exceptions import ValidationError


def get_or_404(queryset: QuerySet, pk: Any, message: str) -> Model:
    """The row ``pk`` of ``queryset`` (already narrowed to what the user may see), else 404."""
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404(message) from None


def require(allowed: bool, message: str) -> None:
    """Raise PermissionDenied(message), a 403, unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


def invalid_form(form) -> None:
    """Raise a serializer's errors as the API's 400 (every field's path and message)."""
    raise ValidationError(form.errors)


def attachment(
    path: str | Path,
    filename: str,
    *,
    content_type: str | None = None,
    missing: str = "The file is missing on the server.",
) -> FileResponse:
    """Stream the file at ``path`` as a download called ``filename`` (404 ``missing`` if gone).

    FileResponse sends it in chunks, so a large dataset never sits in memory. ``nosniff`` stops a
    browser from running an uploaded file that looks like HTML or script.
    """
    path = Path(path)
    if not path.is_file():
        raise Http404(missing)
    resp = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
