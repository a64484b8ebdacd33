"""The training task: runs on a db_worker, writes progress and a heartbeat as it goes.

``train_run.enqueue(run_id)`` is called by ``services.create_run``. The task
trains with the engine's ``SGD.fit`` one epoch at a time; its callback writes the
step, the running loss and a heartbeat to the run's row at most every
``PROGRESS_INTERVAL`` seconds and reads the cancel flag. After each epoch it
evaluates on the held-out validation rows. A NaN/inf loss (the engine's
TrainingDiverged), non-finite weights or a loss exploding far above its start
(``divergence``) fail the run as diverged and publish nothing; any other exception
fails it with its message. At the
end it saves the engine checkpoint and the ONNX export and publishes the model to
the model zoo.
"""

from __future__ import annotations

import logging
import math
import shutil
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import DatabaseError
from django.db.models import F
from django.utils import timezone
from sklearn.metrics import confusion_matrix

import engine.onnx
from engine import SGD, Dense, Sequential, TrainingDiverged
from nnweb.core.db_busy import is_db_busy, reset_connections, retrying
from nnweb.core.tasks_api import task
from nnweb.modelzoo.services import publish_model

from .data import load_run_data, split
from .detection import train_maskrcnn
from .divergence import check_loss, check_weights
from .events import notify
from .heartbeat import beating, sweep_stale_runs
from .models import TrainingRun
from .networks import build_network, param_count

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between progress writes (and cancel checks)
EVAL_MAX_ROWS = 5000  # validation rows evaluated after each epoch


class Stop(Exception):
    """Training stops early (cancel, time limit, run no longer ours)."""

    def __init__(self, why: str, detail: str = ""):
        super().__init__(detail or why)
        self.why = why
        self.detail = detail


def fold_input_scaling(net: Sequential, mu: np.ndarray, sd: np.ndarray) -> None:
    """Make the first Dense layer take raw features: W x̃ + b with x̃ = (x − μ)/σ."""
    first = net.layers[0]
    if not isinstance(first, Dense):
        return
    W = first.W / sd[None, :]
    first.b = first.b - W @ mu
    first.W = W


def fold_output_scaling(net: Sequential, mu: float, sd: float) -> None:
    """Make the identity output layer predict in the target's units: σ ŷ + μ."""
    last = net.layers[-1]
    last.W = last.W * sd
    last.b = last.b * sd + mu


class Trainer:
    def __init__(self, run_id: int):
        self.run_id = run_id
        self.last_write = 0.0
        self.history: list[dict] = []
        self.step = 0

    # ---------------------------------------------------------------- db writes
    def write(self, status_filter=TrainingRun.Status.RUNNING, **fields) -> None:
        fields.setdefault("heartbeat_at", timezone.now())
        try:
            n = TrainingRun.objects.filter(pk=self.run_id, status=status_filter).update(
                version=F("version") + 1, **fields
            )
        except DatabaseError as err:
            if not is_db_busy(err):
                raise
            # Progress is written again within PROGRESS_INTERVAL: skip this one rather than
            # fail a healthy run because another process held the write lock a while.
            logger.warning("run %s: progress not written, database busy (%s)", self.run_id, err)
            reset_connections()
            self.last_write = time.monotonic()
            return
        self.last_write = time.monotonic()
        notify(self.run_id)
        if n == 0:
            raise Stop("gone", "the run is no longer running (cancelled or marked failed)")

    def close(self, **fields) -> int:
        """The run's last write (succeeded, failed, cancelled). Retried while the database
        is busy: a lock must not leave a finished run "running" until the sweep fails it."""

        def update() -> int:
            return TrainingRun.objects.filter(
                pk=self.run_id, status=TrainingRun.Status.RUNNING
            ).update(finished_at=timezone.now(), version=F("version") + 1, **fields)

        n = retrying(update, f"run {self.run_id} outcome")()
        notify(self.run_id)
        return n

    def check(self) -> None:
        row = TrainingRun.objects.filter(pk=self.run_id).values("cancel_requested", "status")[0]
        if row["cancel_requested"]:
            raise Stop("cancelled")
        if row["status"] != TrainingRun.Status.RUNNING:
            raise Stop("gone", "the run is no longer running")
        if time.monotonic() - self.t0 > self.max_seconds:
            raise Stop("time")

    def over_time(self) -> bool:
        """``check`` where the time limit ends training gracefully: True once over time
        (the caller then stops and keeps the model); cancellation still raises Stop."""
        try:
            self.check()
        except Stop as stop:
            if stop.why != "time":
                raise
            return True
        return False

    # ---------------------------------------------------------------- main
    def run(self) -> dict:
        sweep_stale_runs()
        now = timezone.now()
        claimed = TrainingRun.objects.filter(
            pk=self.run_id, status=TrainingRun.Status.QUEUED
        ).update(status=TrainingRun.Status.RUNNING, started_at=now, heartbeat_at=now)
        if not claimed:
            return {"run": self.run_id, "status": "not queued; nothing to do"}
        notify(self.run_id)
        run = TrainingRun.objects.select_related("dataset", "owner").get(pk=self.run_id)
        self.max_seconds = run.max_seconds or 1800
        self.t0 = time.monotonic()
        with beating(self.run_id):
            return self.run_claimed(run)

    def run_claimed(self, run: TrainingRun) -> dict:
        try:
            X, y, meta = load_run_data(run)
            if run.network.get("type") == "maskrcnn":
                result = train_maskrcnn(self, run, X, meta)
            else:
                result = self.train(run, X, y, meta)
        except Stop as stop:
            return self.stopped(stop)
        except TrainingDiverged as err:
            self.fail(f"training diverged: {err}")
            return {"run": self.run_id, "status": "failed"}
        except Exception as err:  # any failure is recorded on the run
            logger.exception("training run %s failed", self.run_id)
            self.fail(f"{type(err).__name__}: {err}")
            return {"run": self.run_id, "status": "failed"}
        return result

    def fail(self, reason: str) -> None:
        self.discard_files()
        self.close(status=TrainingRun.Status.FAILED, reason=reason[:4000], history=self.history)

    def stopped(self, stop: Stop) -> dict:
        self.discard_files()
        if stop.why == "cancelled":
            self.close(
                status=TrainingRun.Status.CANCELLED,
                reason=f"cancelled at step {self.step}",
                history=self.history,
            )
        return {"run": self.run_id, "status": stop.why}

    # ---------------------------------------------------------------- MLP / CNN
    def train(self, run: TrainingRun, X: np.ndarray, y: np.ndarray, meta: dict) -> dict:
        opt = run.optimizer
        classify = run.task == "classification"
        images = X.ndim == 4
        dtype = np.float32 if images else np.float64
        tr, va = split(len(X), opt["val_fraction"], opt["seed"], y if classify else None, classify)
        Xtr, Xva = np.asarray(X[tr], dtype=dtype), np.asarray(X[va], dtype=dtype)
        mu = sd = None
        if not images:
            mu = Xtr.mean(axis=0)
            sd = Xtr.std(axis=0)
            sd[sd < 1e-12] = 1.0
            Xtr = (Xtr - mu) / sd
            Xva = (Xva - mu) / sd
        if classify:
            Ytr, Yva = np.asarray(y[tr], np.int64), np.asarray(y[va], np.int64)
            n_out = len(run.class_names) or int(y.max()) + 1
            y_mu, y_sd = 0.0, 1.0
        else:
            y_mu = float(np.mean(y[tr]))
            y_sd = float(np.std(y[tr])) or 1.0
            Ytr = ((np.asarray(y[tr], dtype) - y_mu) / y_sd)[:, None]
            Yva = ((np.asarray(y[va], dtype) - y_mu) / y_sd)[:, None]
            n_out = 1
        net = build_network(
            run.network, list(X.shape[1:]), n_out, run.task, seed=opt["seed"], dtype=dtype
        )
        sgd = SGD(opt["lr"], opt["batch_size"], momentum=opt["momentum"], l2=opt["l2"])
        steps_per_epoch = max(1, -(-len(Xtr) // opt["batch_size"]))
        total_steps = steps_per_epoch * opt["epochs"]
        self.write(
            total_steps=total_steps,
            engine_spec=net.spec(),
            n_params=param_count(net),
        )
        Xev, Yev = Xva[:EVAL_MAX_ROWS], Yva[:EVAL_MAX_ROWS]
        start_loss = float(net.evaluate(Xev, Yev)["loss"])  # what "exploded" is measured against
        running = {"sum": 0.0, "n": 0}
        epoch_box = {"epoch": 0}
        time_limited = False

        def callback(info) -> bool | None:
            self.step += 1
            running["sum"] += info.loss
            running["n"] += 1
            if time.monotonic() - self.last_write >= PROGRESS_INTERVAL:
                self.check()
                self.write(
                    step=self.step,
                    epoch=epoch_box["epoch"],
                    train_loss=running["sum"] / running["n"],
                )
            return None

        for epoch in range(opt["epochs"]):
            epoch_box["epoch"] = epoch
            running["sum"], running["n"] = 0.0, 0
            try:
                fit = sgd.fit(
                    net, Xtr, Ytr, epochs=1, seed=opt["seed"] * 100_003 + epoch, callback=callback
                )
            except Stop as stop:
                if stop.why != "time":
                    raise
                time_limited = True
                break
            train_loss = float(fit["epoch_loss"][-1]) if fit["epoch_loss"] else math.nan
            ev = net.evaluate(Xev, Yev)
            where = f"after epoch {epoch + 1}"
            check_weights(net.get_params(), where)
            check_loss(float(ev["loss"]), start_loss, where, opt["lr"], opt["momentum"])
            point = {
                "epoch": epoch + 1,
                "step": self.step,
                "train_loss": train_loss,
                "val_loss": float(ev["loss"]),
                "t": round(time.monotonic() - self.t0, 3),
            }
            if classify:
                point["val_accuracy"] = float(ev["accuracy"])
            self.history.append(point)
            last = epoch == opt["epochs"] - 1
            if last or time.monotonic() - self.last_write >= PROGRESS_INTERVAL:
                time_limited = self.over_time() and not last  # the last epoch just ended anyway
                self.write(
                    step=self.step,
                    epoch=epoch + 1,
                    train_loss=train_loss,
                    val_loss=point["val_loss"],
                    accuracy=point.get("val_accuracy"),
                    history=self.history,
                )
            if time.monotonic() - self.t0 > self.max_seconds:
                time_limited = True
                break

        return self.finish(run, net, Xva, Yva, classify, mu, sd, y_mu, y_sd, time_limited)

    def finish(self, run, net, Xva, Yva, classify, mu, sd, y_mu, y_sd, time_limited) -> dict:
        metrics: dict = {"epochs_done": len(self.history), "steps": self.step}
        confusion: list = []
        if self.history:
            metrics["train_loss"] = self.history[-1]["train_loss"]
            metrics["val_loss"] = self.history[-1]["val_loss"]
        if classify:
            pred = net.forward(Xva).argmax(axis=1)
            K = net.layers[-1].W.shape[0]
            confusion = confusion_matrix(Yva, pred, labels=np.arange(K)).tolist()
            metrics["val_accuracy"] = float((pred == Yva).mean())
            metrics["n_val"] = int(len(Yva))
        # a time limit can stop mid-epoch, after the last check: nothing non-finite is published
        check_weights(net.get_params(), f"at step {self.step}")
        if mu is not None:
            fold_input_scaling(net, mu, sd)
        if not classify:
            fold_output_scaling(net, y_mu, y_sd)
            Xraw = Xva * sd + mu if mu is not None else Xva
            pred = net.forward(Xraw)[:, 0]
            truth = Yva[:, 0] * y_sd + y_mu
            resid = pred - truth
            metrics["val_rmse"] = float(np.sqrt(np.mean(resid**2)))
            ss_tot = float(np.sum((truth - truth.mean()) ** 2)) or 1.0
            metrics["val_r2"] = float(1 - np.sum(resid**2) / ss_tot)
        out_dir = self.output_dir()
        net.save(out_dir / "checkpoint.npz")
        input_shape = tuple(int(s) for s in Xva.shape[1:])
        engine.onnx.export(
            net,
            out_dir / "model.onnx",
            class_names=run.class_names or None,
            input_shape=input_shape,
        )
        return self.succeed(
            run,
            net,
            metrics,
            input_shape,
            time_limited,
            confusion=confusion,
            accuracy=metrics.get("val_accuracy"),
        )

    # ---------------------------------------------------------------- results (all kinds)
    def output_dir(self, create: bool = True) -> Path:
        """The run's folder under MEDIA_ROOT; it holds checkpoint.npz and model.onnx."""
        out_dir = Path(settings.MEDIA_ROOT) / "training" / str(self.run_id)
        if create:
            out_dir.mkdir(parents=True, exist_ok=True)
        return out_dir

    def discard_files(self) -> None:
        """Remove what a run that did not succeed wrote (e.g. a checkpoint before a failed
        ONNX export): only a succeeded run records and serves files."""
        shutil.rmtree(self.output_dir(create=False), ignore_errors=True)

    def succeed(self, run, net, metrics: dict, input_shape, time_limited: bool, **fields) -> dict:
        """Publish ``net`` to the model zoo and mark the run succeeded with its files.

        The checkpoint and ONNX file must already be in :meth:`output_dir`. A time limit or a
        failed publication is recorded in the run's reason; ``fields`` are the columns only
        some kinds of run fill in (confusion and accuracy, or ap).
        """
        rel = f"training/{self.run_id}"
        reason = ""
        if time_limited:
            reason = (
                f"stopped at the {self.max_seconds} s time limit after "
                f"{len(self.history)} of {run.total_epochs} epochs"
            )
        model_id, problem = publish(run, net, metrics, input_shape)
        reason = "; ".join(r for r in (reason, problem) if r)
        self.close(
            status=TrainingRun.Status.SUCCEEDED,
            reason=reason,
            heartbeat_at=timezone.now(),
            step=self.step,
            epoch=len(self.history),
            history=self.history,
            metrics=metrics,
            checkpoint=f"{rel}/checkpoint.npz",
            onnx=f"{rel}/model.onnx",
            result_model_id=model_id,
            **fields,
        )
        return {"run": self.run_id, "status": "succeeded", "metrics": metrics}


def publish(run: TrainingRun, net, metrics: dict, input_shape) -> tuple:
    """Publish the network to the model zoo; returns (TrainedModel id or None, problem).

    The model starts private (its owner and instructors see it): it carries the dataset's name
    and class names, and the dataset or the run may be private. The owner or an instructor
    may change that on the model's page."""
    name = f"{run.dataset_name} · run {run.pk}"[:120]
    try:
        model = publish_model(
            run.owner,
            name,
            run.task,
            net,
            metrics,
            class_names=run.class_names or None,
            description=f"Trained by training run {run.pk} on {run.dataset_name}.",
            input_shape=tuple(input_shape),
            visibility="private",
        )
    except Exception as err:  # the run's own files stay downloadable
        logger.exception("publishing run %s failed", run.pk)
        return None, f"trained, but publishing to the model zoo failed: {err}"
    return model.pk, ""


@task(queue_name="default")
def train_run(run_id: int) -> dict:
    """Train the TrainingRun ``run_id`` (queued by services.create_run)."""
    return Trainer(int(run_id)).run()
