"""The HTML forms validate through the API's own serializers.

A page posts its form fields to the serializer the matching REST view uses, then calls the same
service. :func:`field_errors` turns the serializer's errors into one message per form field for
the template's inline error slots (``<p class="field-error" id="id_<field>_error">`` under the
control, which gets ``aria-invalid`` and ``aria-describedby``); :func:`error_line` gives the
same errors as one sentence for a flash message.
"""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework.settings import api_settings

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def _flatten(errors, path: str = ""):
    """(dotted path, message) for every error of a serializer's (nested) ``errors``."""
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            key = str(key)
            sub = path if key == NON_FIELD else (f"{path}.{key}" if path else key)
            yield from _flatten(value, sub)
    elif isinstance(errors, list | tuple):
        for i, value in enumerate(errors):
            if isinstance(value, Mapping | list | tuple):
                yield from _flatten(value, f"{path}.{i}" if path else str(i))
            else:
                yield path, str(value)
    else:
        yield path, str(errors)


def field_errors(errors, fields: Mapping[str, str] | None = None) -> dict[str, str]:
    """The first message of each form field: ``{form field: message}``.

    An error's path (``optimizer.lr``, ``network.hidden.1``) names the form field by its
    longest prefix in ``fields`` (``{"network.hidden": "hidden"}``), else by its first part;
    errors about the whole form are under ``""``.
    """
    fields = fields or {}
    out: dict[str, str] = {}
    for path, message in _flatten(errors):
        parts = path.split(".") if path else []
        name = parts[0] if parts else ""
        for k in range(len(parts), 0, -1):
            prefix = ".".join(parts[:k])
            if prefix in fields:
                name = fields[prefix]
                break
        out.setdefault(name, message)
    return out


def error_line(errors) -> str:
    """Every error as "field: message", joined with "; " (the API's error text)."""
    return "; ".join(f"{p}: {m}" if p else m for p, m in _flatten(errors))
