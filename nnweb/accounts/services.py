"""Accounts: sign-up (students), instructors, demo accounts and API tokens."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from rest_framework.authtoken.models import Token

from nnweb.core.permissions import INSTRUCTOR_GROUP, STUDENT_GROUP, get_group


def generate_password(nbytes: int = 12) -> str:
    """A random URL-safe password (16 characters for 12 bytes)."""
    return secrets.token_urlsafe(nbytes)


@transaction.atomic
def create_student(username: str, password: str, email: str = "") -> AbstractBaseUser:
    """Create a user in the student group (what sign-up does)."""
    user = get_user_model().objects.create_user(username=username, password=password, email=email)
    user.groups.add(get_group(STUDENT_GROUP))
    return user


@transaction.atomic
def make_instructor(user: AbstractBaseUser) -> AbstractBaseUser:
    """Put a user in the instructor group (and keep the student group out of the way)."""
    user.groups.add(get_group(INSTRUCTOR_GROUP))
    user.groups.remove(get_group(STUDENT_GROUP))
    if hasattr(user, "_nnweb_is_instructor"):
        del user._nnweb_is_instructor
    return user


@transaction.atomic
def create_or_update_instructor(username: str, password: str) -> tuple[AbstractBaseUser, bool]:
    """Create the instructor `username` (or reset its password). Returns (user, created)."""
    User = get_user_model()
    User.username_validator(username)
    user, created = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.save()
    make_instructor(user)
    return user, created


@transaction.atomic
def ensure_user(username: str, password: str, *, instructor: bool) -> AbstractBaseUser:
    """Create or reset a demo account with this password and role."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active = True
    user.save()
    if instructor:
        make_instructor(user)
    else:
        user.groups.add(get_group(STUDENT_GROUP))
    return user


def token_for(user: AbstractBaseUser) -> str:
    """The API token of a user (created on first use)."""
    token, _ = Token.objects.get_or_create(user=user)
    return token.key
