"""Reads of the accounts app."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet


def people() -> QuerySet:
    """Every account, by user name, with its groups (the role) prefetched."""
    return get_user_model().objects.order_by("username").prefetch_related("groups")
