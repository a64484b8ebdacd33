"""Training-run service: create (with quotas), cancel, a run's snapshot (reads: ``selectors``).

Runs execute in ``nnweb.training.tasks.train_run`` on a db_worker, never in the web
process. Inside the app, imports run one way: ``services`` → ``tasks`` → ``detection`` →
``data`` / ``heartbeat`` / ``events`` / ``errors`` → ``models`` (and ``selectors`` →
``heartbeat`` / ``quotas`` → ``models``); nothing below imports
what is above it (``tests/web/training/test_imports.py`` checks).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nnweb.datasets.models import Dataset
from nnweb.datasets.selectors import visible_datasets
from nnweb.datasets.services import load_arrays

from .builtins import BUILTINS, load_builtin
from .data import load_run_data
from .detection import DEFAULT_OPTIMIZER, check_maskrcnn_available, count_params
from .errors import RunRejected
from .heartbeat import heartbeat_timeout, sweep_stale_runs
from .models import TrainingRun
from .networks import SpecError, build_network, normalize_spec, param_count
from .quotas import QuotaExceeded, check_quota
from .tasks import train_run

__all__ = [
    "RunRejected",
    "create_run",
    "cancel_run",
    "sweep_stale_runs",
    "load_run_data",
    "snapshot",
    "heartbeat_timeout",
]


def _opt(options: dict, key: str, default, kind, lo, hi, what: str):
    v = options.get(key, default)
    try:
        v = kind(v)
    except (TypeError, ValueError):
        raise RunRejected(f"{what} must be a number, not {v!r}") from None
    if kind is int and float(options.get(key, default)) != v:
        raise RunRejected(f"{what} must be a whole number, not {options.get(key)!r}")
    if not (lo <= v <= hi) or (isinstance(v, float) and not np.isfinite(v)):
        raise RunRejected(f"{what} must be between {lo} and {hi}, not {v}")
    return v


def normalize_optimizer(options: dict | None, defaults: dict | None = None) -> dict:
    options = {**(defaults or {}), **dict(options or {})}
    return {
        "lr": _opt(options, "lr", 0.05, float, 1e-6, 10.0, "learning rate lr"),
        "batch_size": _opt(options, "batch_size", 16, int, 1, 4096, "batch size m"),
        "momentum": _opt(options, "momentum", 0.9, float, 0.0, 0.999, "momentum"),
        "l2": _opt(options, "l2", 0.0, float, 0.0, 1.0, "L2 weight decay"),
        "epochs": _opt(options, "epochs", 20, int, 1, 100_000, "epochs"),
        "val_fraction": _opt(options, "val_fraction", 0.2, float, 0.05, 0.5, "validation share"),
        "seed": _opt(options, "seed", 0, int, 0, 2**31 - 1, "seed"),
    }


def create_run(
    user,
    *,
    dataset: int | Dataset | None = None,
    builtin: str = "",
    network: Any = None,
    optimizer: dict | None = None,
    enqueue: bool = True,
) -> TrainingRun:
    """Check everything (dataset visible, spec buildable, quotas) and queue the run."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Sign in to train networks.")
    if bool(dataset) == bool(builtin):
        raise RunRejected("choose one dataset: an uploaded one or a built-in one")
    ds = None
    if builtin:
        if builtin not in BUILTINS:
            raise RunRejected(f"unknown built-in dataset {builtin!r}")
        X, y, meta = load_builtin(builtin)
        name = BUILTINS[builtin]["title"]
    else:
        pk = dataset.pk if isinstance(dataset, Dataset) else dataset
        try:
            ds = visible_datasets(user).get(pk=pk)
        except (Dataset.DoesNotExist, ValueError, TypeError):
            raise RunRejected(f"dataset {pk} does not exist or you may not use it") from None
        X, y, meta = load_arrays(ds)
        name = ds.name
    try:
        spec = normalize_spec(network if network is not None else {"type": "mlp"})
    except SpecError as err:
        raise RunRejected(f"network: {err}") from None
    kind = meta.get("kind")
    if spec["type"] == "maskrcnn":
        opt = normalize_optimizer(optimizer, DEFAULT_OPTIMIZER)
    else:
        opt = normalize_optimizer(optimizer)
    task = meta.get("task", "classification")
    class_names = list(meta.get("class_names") or [])
    if kind == Dataset.Kind.INSTANCE_SEGMENTATION or spec["type"] == "maskrcnn":
        if kind != Dataset.Kind.INSTANCE_SEGMENTATION:
            raise RunRejected("Mask R-CNN trains on instance-segmentation (COCO) datasets only")
        if spec["type"] != "maskrcnn":
            raise RunRejected("an instance-segmentation dataset trains a Mask R-CNN network")
        if spec.get("init", "shapes") not in ("shapes", "scratch"):
            raise RunRejected("network: init must be 'shapes' (fine-tune) or 'scratch'")
        check_maskrcnn_available()
        n_params = count_params(class_names)
    else:
        input_shape = list(X.shape[1:])
        try:
            net = build_network(spec, input_shape, max(len(class_names), 1), task, seed=0)
        except (SpecError, ValueError) as err:
            raise RunRejected(f"network: {err}") from None
        n_params = param_count(net)
    n_train = int(round(len(X) * (1 - opt["val_fraction"])))
    with transaction.atomic():
        # Count-then-insert alone lets two simultaneous requests (say, one to each web
        # process) both see zero active runs. Locking the owner's row first makes creates of
        # one user's runs take turns on PostgreSQL, whichever process serves them; SQLite's
        # IMMEDIATE transactions already take the database's write lock at BEGIN, and
        # select_for_update is a no-op there.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        sweep_stale_runs(owner=user)  # a run whose worker died stops counting at once
        active = TrainingRun.objects.filter(owner=user, status__in=TrainingRun.ACTIVE).count()
        try:
            q = check_quota(
                user, params=n_params, epochs=opt["epochs"], n_samples=n_train, active_runs=active
            )
        except QuotaExceeded as err:
            raise RunRejected(str(err)) from None
        steps_per_epoch = max(1, -(-n_train // opt["batch_size"]))
        run = TrainingRun.objects.create(
            owner=user,
            dataset=ds,
            builtin=builtin,
            dataset_name=name[:200],
            task=task,
            network=spec,
            optimizer=opt,
            n_params=n_params,
            class_names=class_names,
            total_epochs=opt["epochs"],
            total_steps=steps_per_epoch * opt["epochs"],
            max_seconds=q.max_seconds,
        )
        if enqueue:
            result = train_run.enqueue(run.pk)
            run.task_id = str(result.id)
            run.save(update_fields=["task_id"])
    return run


def cancel_run(run: TrainingRun) -> TrainingRun:
    """Queued runs stop at once; running ones at their next progress check."""
    now = timezone.now()
    TrainingRun.objects.filter(pk=run.pk, status=TrainingRun.Status.QUEUED).update(
        status=TrainingRun.Status.CANCELLED,
        reason="cancelled before it started",
        cancel_requested=True,
        finished_at=now,
        version=F("version") + 1,
    )
    TrainingRun.objects.filter(pk=run.pk, status=TrainingRun.Status.RUNNING).update(
        cancel_requested=True, version=F("version") + 1
    )
    run.refresh_from_db()
    return run


def eta_seconds(run: TrainingRun) -> float | None:
    if run.status != TrainingRun.Status.RUNNING or not run.started_at or not run.step:
        return None
    elapsed = (timezone.now() - run.started_at).total_seconds()
    return max(0.0, elapsed * (run.total_steps - run.step) / run.step)


def snapshot(run: TrainingRun, history_from: int = 0) -> dict:
    """The run's state as the run page and websocket send it."""
    elapsed = None
    if run.started_at:
        end = run.finished_at or timezone.now()
        elapsed = (end - run.started_at).total_seconds()
    return {
        "id": run.pk,
        "owner": run.owner.username if run.owner_id else None,
        "dataset": run.dataset_id,
        "builtin": run.builtin,
        "dataset_name": run.dataset_name,
        "task": run.task,
        "network": run.network,
        "optimizer": run.optimizer,
        "n_params": run.n_params,
        "class_names": run.class_names,
        "status": run.status,
        "reason": run.reason,
        "cancel_requested": run.cancel_requested,
        "epoch": run.epoch,
        "total_epochs": run.total_epochs,
        "step": run.step,
        "total_steps": run.total_steps,
        "progress": (run.step / run.total_steps) if run.total_steps else 0.0,
        "train_loss": run.train_loss,
        "val_loss": run.val_loss,
        "accuracy": run.accuracy,
        "ap": run.ap,
        "metrics": run.metrics,
        "confusion": run.confusion,
        "history": run.history[history_from:],
        "history_from": history_from,
        "history_len": len(run.history),
        "elapsed_seconds": elapsed,
        "eta_seconds": eta_seconds(run),
        "created": run.created.isoformat() if run.created else None,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "heartbeat_at": run.heartbeat_at.isoformat() if run.heartbeat_at else None,
        "has_onnx": bool(run.onnx),
        "result_model": run.result_model_id,
        "result_model_url": f"/models/{run.result_model_id}/" if run.result_model_id else None,
        "version": run.version,
    }
