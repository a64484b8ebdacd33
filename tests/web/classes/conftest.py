"""Fixtures of the classes tests: one class with a challenge, and the five kinds of visitor.

``klass``          "Lab A", taught by ``instructor`` (irene), with ``student`` (alice) enrolled
``other_class``    "Lab B", taught by ``other_instructor`` (olga), with ``other_student`` (bob)
``challenge``      a challenge of ``klass`` (xor, test accuracy >= 90%, <= 8 hidden neurons)
``actor_client``   an APIClient for one of "anonymous", "student", "other_student",
                   "instructor", "other_instructor"
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from nnweb.classes import playground_api as playground
from nnweb.classes import services
from tests.conftest import PASSWORD

# The class's instructor last: the write cases succeed for them and change the class.
ACTORS = ("anonymous", "student", "other_student", "other_instructor", "instructor")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Five users per test: a fast hasher keeps fixture set-up from dominating the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def other_instructor(db):
    from nnweb.accounts.services import ensure_user

    return ensure_user("olga", PASSWORD, instructor=True)


@pytest.fixture
def klass(instructor, student):
    k = services.create_class(instructor, "Lab A")
    services.join_class(student, k.join_code)
    return k


@pytest.fixture
def other_class(other_instructor, other_student):
    k = services.create_class(other_instructor, "Lab B")
    services.join_class(other_student, k.join_code)
    return k


XOR_GOAL = {
    "measure": "accuracy",
    "dataset": "xor",
    "min_test_accuracy": 0.9,
    "max_hidden_neurons": 8,
    "min_samples": 100,
    "min_noise": 0.0,
}


def make_challenge(klass, instructor, goal=None, title="XOR"):
    from nnweb.classes.goals import GoalSerializer

    g = GoalSerializer(data=goal or XOR_GOAL)
    g.is_valid(raise_exception=True)
    return services.create_assignment(
        klass,
        instructor,
        {
            "title": title,
            "kind": "challenge",
            "due": timezone.now() + timedelta(days=7),
            "goal": g.validated_data,
        },
    )


@pytest.fixture
def challenge(klass, instructor):
    return make_challenge(klass, instructor)


def open_session(user, config: dict) -> playground.PlaygroundSession:
    """A live playground session of ``user`` (what opening the playground page creates)."""
    return playground.open_session(config, user=user)


@pytest.fixture
def actors(student, other_student, instructor, other_instructor, klass, other_class):
    return {
        "anonymous": None,
        "student": student,
        "other_student": other_student,
        "instructor": instructor,
        "other_instructor": other_instructor,
    }


def client_for(user):
    from rest_framework.test import APIClient

    c = APIClient()
    if user is not None:
        c.force_login(user)
    return c
