"""Fixtures of the dataset tests: a private media folder, a second instructor, helpers.

The users (student "alice", instructor "irene") come from tests/conftest.py.
"""

from __future__ import annotations

import io

import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def other_instructor(db):
    from nnweb.accounts.services import ensure_user

    return ensure_user("otto", "nnweb-Test-pass-42", instructor=True)


def client_for(user=None) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def upload_file(content: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


IRIS_LIKE = "sepal,petal,species\n" + "".join(
    f"{1 + i * 0.1:.1f},{0.2 + (i % 3):.1f},{['a', 'b', 'c'][i % 3]}\n" for i in range(30)
)
