"""Reads of the training app: the runs a user may see, what they may train on, their quota.

The REST views, the pages and the consumer read through these; ``services`` holds the writes
(create, cancel). A run the user may not see is a 404, never a 403. Reading a run sweeps
stale runs first (``heartbeat.sweep_stale_runs``), so a run whose worker died reads as failed.
"""

from __future__ import annotations

from django.db.models import QuerySet

from nnweb.core.permissions import is_instructor
from nnweb.core.view_helpers import get_or_404, require
from nnweb.datasets.selectors import visible_datasets

from .builtins import BUILTINS
from .heartbeat import sweep_stale_runs
from .models import TrainingRun
from .quotas import quota_for

CANCEL_REFUSAL = "You may not cancel this run."


def visible_runs(user) -> QuerySet[TrainingRun]:
    """Own runs; instructors see every run."""
    qs = TrainingRun.objects.select_related("owner")
    if user is None or not user.is_authenticated:
        return qs.none()
    if is_instructor(user):
        return qs.all()
    return qs.filter(owner=user)


def can_cancel(user, run: TrainingRun) -> bool:
    return bool(user and user.is_authenticated and (run.owner_id == user.pk or is_instructor(user)))


def swept_runs(user) -> QuerySet[TrainingRun]:
    """``visible_runs`` after the stale-run sweep (a run whose worker died reads as failed):
    what the lists and the run pages show."""
    sweep_stale_runs()
    return visible_runs(user)


def get_run(user, pk: int) -> TrainingRun:
    """The run ``pk`` if ``user`` may see it, else 404 (API and pages alike), after the
    stale-run sweep."""
    return get_or_404(swept_runs(user), pk, "No such run, or you may not see it.")


def get_cancellable(user, pk: int) -> TrainingRun:
    """The run ``pk`` if ``user`` may cancel it (404 if unseen, 403 otherwise); for the pages,
    which are no DRF views (the API's cancel view declares ``permissions.MayCancel``)."""
    run = get_run(user, pk)
    require(can_cancel(user, run), CANCEL_REFUSAL)
    return run


def dataset_choices(user) -> dict[str, list[dict]]:
    """Everything ``user`` may train on: built-ins and visible uploaded datasets."""
    return {
        "builtin": [
            {"id": k, "name": v["title"], "kind": v["kind"], "task": v["task"]}
            for k, v in BUILTINS.items()
        ],
        "uploaded": [
            {
                "id": ds.pk,
                "name": ds.name,
                "kind": ds.kind,
                "task": ds.task,
                "owner": ds.owner.username,
                "n_samples": ds.n_samples,
            }
            for ds in visible_datasets(user)
        ],
    }


def quota_summary(user) -> dict:
    q = quota_for(user)
    return {
        "role": q.role,
        "max_params": q.max_params,
        "max_epochs": q.max_epochs,
        "max_seconds": q.max_seconds,
        "max_active": q.max_active,
    }
