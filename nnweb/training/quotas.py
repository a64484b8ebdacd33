"""How big a training run each role may start. Refusals say which limit and by how much.

Limits come from ``settings.NNWEB_LIMITS`` (keys in brackets) with these defaults:

============================  ===========  ============
limit                         student      instructor
============================  ===========  ============
parameters [TRAIN_MAX_PARAMS_*]      50 000    2 000 000
epochs [MAX_EPOCHS_*]                    50          500
wall time s [TRAIN_MAX_SECONDS_*]       120         1800
runs at once [TRAIN_MAX_ACTIVE_*]         1            2
work = epochs × samples × params  3·10⁹     2·10¹²
============================  ===========  ============
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from nnweb.core.permissions import is_instructor


class QuotaExceeded(ValueError):
    """A run over the user's limits; the message says which and what is allowed."""


@dataclass(frozen=True)
class Quota:
    role: str
    max_params: int
    max_epochs: int
    max_seconds: int
    max_active: int
    max_work: float


def quota_for(user) -> Quota:
    lim = getattr(settings, "NNWEB_LIMITS", {}) or {}
    if is_instructor(user):
        return Quota(
            "instructor",
            int(lim.get("TRAIN_MAX_PARAMS_INSTRUCTOR", 2_000_000)),
            int(lim.get("MAX_EPOCHS_INSTRUCTOR", 500)),
            int(lim.get("TRAIN_MAX_SECONDS_INSTRUCTOR", lim.get("MAX_RUN_SECONDS", 1800))),
            int(lim.get("TRAIN_MAX_ACTIVE_INSTRUCTOR", lim.get("MAX_ACTIVE_RUNS_PER_USER", 2))),
            float(lim.get("TRAIN_MAX_WORK_INSTRUCTOR", 2e12)),
        )
    return Quota(
        "student",
        int(lim.get("TRAIN_MAX_PARAMS_STUDENT", 50_000)),
        int(lim.get("MAX_EPOCHS_STUDENT", 50)),
        int(lim.get("TRAIN_MAX_SECONDS_STUDENT", 120)),
        int(lim.get("TRAIN_MAX_ACTIVE_STUDENT", 1)),
        float(lim.get("TRAIN_MAX_WORK_STUDENT", 3e9)),
    )


def check_quota(user, *, params: int, epochs: int, n_samples: int, active_runs: int) -> Quota:
    """Raise QuotaExceeded with a clear message, else return the user's quota."""
    q = quota_for(user)
    who = "Students" if q.role == "student" else "Instructors"
    if active_runs >= q.max_active:
        raise QuotaExceeded(
            f"{who} may have {q.max_active} training run{'s' if q.max_active > 1 else ''} "
            f"queued or running at a time; wait for yours to finish or cancel it."
        )
    if params > q.max_params:
        raise QuotaExceeded(
            f"This network has {params:,} parameters; {who.lower()} may train up to "
            f"{q.max_params:,}. Use fewer or smaller hidden layers."
        )
    if epochs > q.max_epochs:
        raise QuotaExceeded(f"{epochs} epochs asked; {who.lower()} may train up to {q.max_epochs}.")
    work = float(epochs) * n_samples * params
    if work > q.max_work:
        raise QuotaExceeded(
            f"This run is too big: epochs × samples × parameters = {work:.3g}; the limit for "
            f"{who.lower()} is {q.max_work:.3g}. Use fewer epochs or a smaller network."
        )
    return q
