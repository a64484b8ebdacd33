"""Reads of the playground app: saved experiments, classroom links and the uploaded data sets
a user may open. The sessions themselves live in ``store``; the writes are in ``experiments``
(save, open, delete) and ``classroom`` (make a link, open a session through one)."""

from __future__ import annotations

import logging

from nnweb.datasets.models import Dataset
from nnweb.datasets.selectors import visible_datasets

from .errors import PlaygroundError, is_anonymous
from .models import ClassroomLink, Experiment

logger = logging.getLogger(__name__)

MAX_UPLOADED_OFFERED = 100


def uploaded_datasets(user) -> list[Dataset]:
    """The uploaded data sets the playground offers ``user`` (those they may see, but no
    instance-segmentation sets), at most 100. The toy data sets are always offered, so a
    failed read is logged and offers none."""
    try:
        qs = visible_datasets(user).exclude(kind=Dataset.Kind.INSTANCE_SEGMENTATION)
        return list(qs[:MAX_UPLOADED_OFFERED])
    except Exception:  # noqa: BLE001 - the page and the options still offer the toys
        logger.exception("playground: the uploaded data sets could not be read")
        return []


def list_experiments(user) -> list[dict]:
    if is_anonymous(user):
        return []
    return [e.summary() for e in Experiment.objects.filter(owner=user)]


def get_experiment(user, experiment_id) -> Experiment:
    exp = None
    if not is_anonymous(user):
        try:
            exp = Experiment.objects.filter(pk=int(experiment_id), owner=user).first()
        except (TypeError, ValueError):
            exp = None
    if exp is None:
        raise PlaygroundError(f"no experiment {experiment_id!r} of yours", code="not_found")
    return exp


def classroom_links(user) -> list[ClassroomLink]:
    """``user``'s classroom links (none for anonymous visitors)."""
    if user is None or not user.is_authenticated:
        return []
    return list(ClassroomLink.objects.filter(owner=user))


def get_classroom_link(token: str) -> ClassroomLink:
    link = ClassroomLink.objects.filter(token=str(token)).first()
    if link is None:
        raise PlaygroundError("no such classroom link", code="not_found")
    return link
