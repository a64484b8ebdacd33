"""Saved experiments: a session's settings, network, weights and loss history, by user
(reading them: ``selectors``)."""

from __future__ import annotations

from . import store
from .errors import PlaygroundError, is_anonymous
from .models import Experiment
from .selectors import get_experiment
from .session import PlaygroundSession

MAX_EXPERIMENTS_PER_USER = 200


def _name(name, field: str = "name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise PlaygroundError("give the experiment a name", field=field)
    name = name.strip()
    if len(name) > 120:
        raise PlaygroundError("a name has at most 120 characters", field=field)
    return name


def save_experiment(session: PlaygroundSession, user, name, experiment_id=None) -> dict:
    """Save (or overwrite ``experiment_id``) the session as an experiment of ``user``."""

    if is_anonymous(user):
        raise PlaygroundError("sign in to save experiments", code="forbidden")
    session.refuse_hidden("save")
    with session.lock:
        snap = session.snapshot()
    if experiment_id is not None:
        exp = Experiment.objects.filter(pk=experiment_id, owner=user).first()
        if exp is None:
            raise PlaygroundError(f"no experiment {experiment_id} of yours", code="not_found")
        if name is not None:
            exp.name = _name(name)
    else:
        if Experiment.objects.filter(owner=user).count() >= MAX_EXPERIMENTS_PER_USER:
            raise PlaygroundError(
                f"at most {MAX_EXPERIMENTS_PER_USER} saved experiments; delete some first",
                code="limit",
            )
        exp = Experiment(owner=user, name=_name(name))
    exp.config = snap["config"]
    exp.network = snap["network"]
    exp.params = snap["params"]
    exp.history = snap["history"]
    exp.iteration = snap["iteration"]
    exp.epoch = snap["epoch"]
    exp.save()
    return {"type": "saved", "experiment": exp.summary()}


def open_experiment(user, experiment_id) -> PlaygroundSession:
    """A new session with a saved experiment's settings, weights and history."""
    exp = get_experiment(user, experiment_id)
    session = PlaygroundSession.create(exp.config, user=user)
    session.restore(
        {
            "params": exp.params,
            "history": exp.history,
            "iteration": exp.iteration,
            "epoch": exp.epoch,
        }
    )
    session.experiment_id = exp.pk
    return store.save(session)


def delete_experiment(user, experiment_id) -> None:
    get_experiment(user, experiment_id).delete()
