"""Reading the API's error body (nnweb.core.errors) in tests.

{"type": "validation_error", "errors": [{"code": ..., "detail": ..., "attr": ...}]}
"""

from __future__ import annotations


def errors_of(response) -> list[dict]:
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    return body["errors"]


def error_detail(response) -> str:
    """The first error's message."""
    return errors_of(response)[0]["detail"]


def error_for(response, attr: str) -> str:
    """The message about field ``attr`` (a path such as ``layers.0.units``)."""
    found = [e["detail"] for e in errors_of(response) if e["attr"] == attr]
    assert found, f"no error about {attr!r} in {response.json()}"
    return found[0]


def error_text(response) -> str:
    """Every error as 'field: message', joined with '; ' (the field left out when there is none)."""
    return "; ".join(
        f"{e['attr']}: {e['detail']}"
        if e["attr"] not in (None, "non_field_errors")
        else e["detail"]
        for e in errors_of(response)
    )
