"""Reads of the modelzoo app: which models a user may see, and what they may do with one.

The REST views, the pages, the serializers and the other apps (playground, segmentation)
read models through these; ``services`` holds the writes (publish, upload, visibility,
delete) and the loaders of the stored ONNX files. A model the user may not see is a 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from nnweb.core.permissions import is_instructor
from nnweb.core.view_helpers import get_or_404

from .models import TrainedModel


def visible_models(user=None) -> QuerySet[TrainedModel]:
    """The models ``user`` may see, and the only way any reader gets at models.

    Anonymous visitors (or ``None``): public models. Signed-in students: public ones, those
    visible to students and their own (private ones included). Instructors: every model.
    The API (list, retrieve, download), the pages, the playground's ``?model=`` and the
    segmentation demo's model list all go through here.
    """
    qs = TrainedModel.objects.select_related("owner")
    if user is None or not getattr(user, "is_authenticated", False):
        return qs.filter(visibility=TrainedModel.Visibility.PUBLIC)
    if is_instructor(user):
        return qs.all()
    return qs.filter(
        Q(visibility__in=[TrainedModel.Visibility.PUBLIC, TrainedModel.Visibility.STUDENTS])
        | Q(owner=user)
    )


def get_model(pk, user=None) -> TrainedModel:
    """The model ``pk`` if ``user`` may see it (TrainedModel.DoesNotExist otherwise)."""
    return visible_models(user).get(pk=int(pk))


def can_manage(user, model: TrainedModel) -> bool:
    """Owners and instructors may delete a model and change its visibility."""
    if user is None or not user.is_authenticated:
        return False
    return is_instructor(user) or model.owner_id == user.pk


def allowed_visibilities(user, model: TrainedModel) -> list[str]:
    """The visibilities ``user`` may give ``model``: every one for instructors, "private"
    for its (student) owner, none for anyone else."""
    if not can_manage(user, model):
        return []
    if is_instructor(user):
        return list(TrainedModel.Visibility.values)
    return [TrainedModel.Visibility.PRIVATE]


def model_or_404(user, pk: int) -> TrainedModel:
    """The model ``pk`` if ``user`` may see it, else 404 (API and pages alike)."""
    return get_or_404(visible_models(user), pk, "No such model.")
