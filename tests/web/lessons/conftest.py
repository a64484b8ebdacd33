"""Every lesson result the lesson tests get is checked against the schema on the way out.

An autouse fixture wraps ``LessonView.post``: each 200 answer is validated against the
response the OpenAPI schema documents for its endpoint (``results.py``), so every input the
tests try (defaults, presets, edge cases, the bad values of test_no_server_errors that are
still accepted) also proves the documented shape true.
"""

from __future__ import annotations

import pytest

from nnweb.lessons.views.base import LessonView
from tests.web.schema_checks import check_response

CHECKED: list[str] = []


@pytest.fixture(autouse=True)
def _results_as_documented(api_schema, monkeypatch):
    post = LessonView.post

    def checked(self, request, *args, **kwargs):
        response = post(self, request, *args, **kwargs)
        if response.status_code == 200:
            check_response(api_schema, "post", request.path, 200, response.data)
            CHECKED.append(request.path)
        return response

    monkeypatch.setattr(LessonView, "post", checked)
