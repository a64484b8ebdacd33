"""Fixtures of the dataset tests: users in each role and a private media folder."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from nnweb.core.permissions import INSTRUCTOR_GROUP, STUDENT_GROUP, get_group


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [],
    }
    return settings.MEDIA_ROOT


def _user(username: str, group: str):
    user = get_user_model().objects.create_user(username, password="pw-" + username)
    user.groups.add(get_group(group))
    return user


@pytest.fixture
def instructor(db):
    return _user("ines", INSTRUCTOR_GROUP)


@pytest.fixture
def other_instructor(db):
    return _user("otto", INSTRUCTOR_GROUP)


@pytest.fixture
def student(db):
    return _user("sam", STUDENT_GROUP)


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
