"""Reads of the datasets app: which datasets a user may see, and what they may do with one.

The REST views, the pages and the other apps (training, playground, classes) read datasets
through these; ``services`` holds the writes (import, update, delete) and the loaders of the
stored arrays. A dataset the user may not see is a 404, never a 403.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from nnweb.core.view_helpers import get_or_404, require

from .models import Dataset


def visible_datasets(user) -> QuerySet[Dataset]:
    """Datasets ``user`` may see: public ones; signed-in users also "students" ones and
    their own; superusers everything."""
    qs = Dataset.objects.select_related("owner")
    if user is None or not user.is_authenticated:
        return qs.filter(visibility=Dataset.Visibility.PUBLIC)
    if user.is_superuser:
        return qs.all()
    return qs.filter(
        Q(visibility__in=[Dataset.Visibility.PUBLIC, Dataset.Visibility.STUDENTS]) | Q(owner=user)
    )


def can_view(user, ds: Dataset) -> bool:
    return visible_datasets(user).filter(pk=ds.pk).exists()


def can_manage(user, ds: Dataset) -> bool:
    """Owner (or a superuser) may download the original, delete, change visibility."""
    return bool(user and user.is_authenticated and (user.is_superuser or ds.owner_id == user.pk))


def manage_refusal(action: str) -> str:
    """The 403 message for a visitor who sees the dataset but may not ``action`` it."""
    return f"Only the dataset's owner may {action} it."


def get_visible(user, pk: int) -> Dataset:
    """The dataset ``pk`` if ``user`` may see it, else 404 (API and pages alike)."""
    return get_or_404(visible_datasets(user), pk, "No such dataset, or you may not see it.")


def get_managed(user, pk: int, action: str) -> Dataset:
    """The dataset ``pk`` if ``user`` owns it (404 if unseen, 403 if only visible); for the
    pages, which are no DRF views (those declare ``permissions.ManagedByOwner``)."""
    ds = get_visible(user, pk)
    require(can_manage(user, ds), manage_refusal(action))
    return ds
