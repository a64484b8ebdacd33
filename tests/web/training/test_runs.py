"""Training runs: the task (called in-process here), quotas, roles, cancel, heartbeat sweep.

The real db_worker path is in test_worker.py.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import onnxruntime as ort
import pytest
from django.utils import timezone

from nnweb.training import services, tasks
from nnweb.training.models import TrainingRun
from nnweb.training.tasks import Trainer
from tests.web.api_errors import error_detail, error_text

pytestmark = pytest.mark.django_db

MLP = {"type": "mlp", "hidden": [16], "activation": "tanh"}
OPT = {"lr": 0.05, "batch_size": 8, "momentum": 0.9, "epochs": 30, "seed": 1}


def run_now(run: TrainingRun) -> TrainingRun:
    Trainer(run.pk).run()
    run.refresh_from_db()
    return run


def test_uploaded_csv_mlp_trains_and_exports_onnx(student, iris_dataset, _media):
    run = services.create_run(
        student, dataset=iris_dataset.pk, network=MLP, optimizer=OPT, enqueue=False
    )
    assert run.status == "queued" and run.total_steps == 15 * 30  # 120 train rows / 8
    run = run_now(run)
    assert run.status == "succeeded", run.reason
    assert run.metrics["val_accuracy"] >= 0.85
    assert run.accuracy == run.metrics["val_accuracy"]
    assert len(run.history) == 30 and run.step == run.total_steps
    assert run.history[-1]["val_loss"] < run.history[0]["val_loss"]
    cm = np.array(run.confusion)
    assert cm.shape == (3, 3) and cm.sum() == 30
    # the ONNX model takes raw features (scaling folded into the first layer)
    from nnweb.datasets.services import load_arrays

    X, y, _ = load_arrays(iris_dataset)
    sess = ort.InferenceSession(str(_media / run.onnx), providers=["CPUExecutionProvider"])
    out = sess.run(None, {sess.get_inputs()[0].name: X.astype(np.float32)})[0]
    assert (out.argmax(axis=1) == y).mean() >= 0.85
    from engine import Sequential

    net = Sequential.load(_media / run.checkpoint)
    assert np.allclose(net.forward(X), out, atol=1e-4)
    # published to the model zoo with its metrics and classes
    model = run.result_model
    assert model is not None and model.owner == student and model.task == "classification"
    assert model.metrics["val_accuracy"] == run.metrics["val_accuracy"]
    assert model.class_names == ["setosa", "versicolor", "virginica"]


def test_builtin_regression_reports_r2(student):
    run = services.create_run(
        student,
        builtin="diabetes",
        network={"type": "mlp", "hidden": [8]},
        optimizer={"lr": 0.01, "batch_size": 32, "epochs": 20},
        enqueue=False,
    )
    run = run_now(run)
    assert run.status == "succeeded", run.reason
    assert run.metrics["val_r2"] > 0.2 and run.confusion == []


def test_cnn_on_builtin_digits(student, _media):
    run = services.create_run(
        student,
        builtin="digits",
        network={"type": "cnn", "conv": [{"filters": 4, "kernel": 3, "pool": 2}], "hidden": []},
        optimizer={"lr": 0.1, "batch_size": 32, "epochs": 3},
        enqueue=False,
    )
    run = run_now(run)
    assert run.status == "succeeded", run.reason
    assert run.metrics["val_accuracy"] > 0.5
    sess = ort.InferenceSession(str(_media / run.onnx), providers=["CPUExecutionProvider"])
    out = sess.run(None, {sess.get_inputs()[0].name: np.zeros((2, 1, 8, 8), np.float32)})[0]
    assert out.shape == (2, 10)


def test_divergence_fails_with_clear_reason(student):
    run = services.create_run(
        student,
        builtin="diabetes",
        network={"type": "mlp", "hidden": [32], "activation": "relu"},
        optimizer={"lr": 5.0, "batch_size": 4, "momentum": 0.99, "epochs": 20},
        enqueue=False,
    )
    run = run_now(run)
    assert run.status == "failed"
    assert "diverged" in run.reason and "learning rate" in run.reason


def test_exception_fails_with_message(student, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("the engine exploded")

    monkeypatch.setattr(tasks, "build_network", boom)
    run = run_now(services.create_run(student, builtin="iris", enqueue=False))
    assert run.status == "failed" and run.reason == "RuntimeError: the engine exploded"


def test_failed_export_leaves_no_files(student, _media, monkeypatch):
    import engine.onnx

    def no_export(*a, **k):
        raise OSError("no space left on device")

    monkeypatch.setattr(engine.onnx, "export", no_export)
    run = run_now(services.create_run(student, builtin="iris", enqueue=False))
    assert run.status == "failed" and "no space left" in run.reason
    assert run.checkpoint == "" and run.onnx == ""
    assert not (_media / "training" / str(run.pk)).exists()  # the checkpoint was removed too


def test_cancel_while_running(student, monkeypatch):
    monkeypatch.setattr(tasks, "PROGRESS_INTERVAL", 0.0)
    run = services.create_run(student, builtin="iris", optimizer={"epochs": 20}, enqueue=False)
    original = Trainer.write
    calls = {"n": 0}

    def write(self, *a, **k):
        original(self, *a, **k)
        calls["n"] += 1
        if calls["n"] == 3:
            services.cancel_run(TrainingRun.objects.get(pk=self.run_id))

    monkeypatch.setattr(Trainer, "write", write)
    run = run_now(run)
    assert run.status == "cancelled" and "cancelled at step" in run.reason
    assert run.step < run.total_steps


def test_cancel_queued_run_via_api(student_api, student):
    run = services.create_run(student, builtin="iris", enqueue=False)
    r = student_api.post(f"/api/training/runs/{run.pk}/cancel/")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    run = run_now(run)  # a worker picking it up later does nothing
    assert run.status == "cancelled"
    assert student_api.post(f"/api/training/runs/{run.pk}/cancel/").status_code == 409


def test_heartbeat_sweep_marks_silent_run_failed(student_api, student):
    run = services.create_run(student, builtin="iris", enqueue=False)
    TrainingRun.objects.filter(pk=run.pk).update(
        status="running", heartbeat_at=timezone.now() - timedelta(seconds=120)
    )
    body = student_api.get(f"/api/training/runs/{run.pk}/").json()
    assert body["status"] == "failed" and "worker stopped responding" in body["reason"]
    # a fresh heartbeat is left alone
    run2 = services.create_run(student, builtin="iris", enqueue=False)
    TrainingRun.objects.filter(pk=run2.pk).update(status="running", heartbeat_at=timezone.now())
    assert services.sweep_stale_runs() == 0


def test_create_via_api_enqueues_task(student_api):
    r = student_api.post(
        "/api/training/runs/",
        {"builtin": "iris", "network": MLP, "optimizer": OPT},
        format="json",
    )
    assert r.status_code == 201, r.content
    run = TrainingRun.objects.get(pk=r.json()["id"])
    assert run.task_id
    from nnweb.core.tasks_api import default_task_backend

    result = default_task_backend.get_result(run.task_id)
    assert result.args == [run.pk] or list(result.args) == [run.pk]


def test_quotas_refuse_clearly(student_api, student):
    big = {"type": "mlp", "hidden": [512, 512]}
    r = student_api.post("/api/training/runs/", {"builtin": "iris", "network": big}, format="json")
    assert r.status_code == 400 and "parameters" in error_detail(r)
    r = student_api.post(
        "/api/training/runs/", {"builtin": "iris", "optimizer": {"epochs": 51}}, format="json"
    )
    assert r.status_code == 400 and "up to 50" in error_detail(r)
    assert (
        student_api.post("/api/training/runs/", {"builtin": "iris"}, format="json").status_code
        == 201
    )
    r = student_api.post("/api/training/runs/", {"builtin": "iris"}, format="json")
    assert r.status_code == 400 and "at a time" in error_detail(r)


def test_bad_requests(student_api, instructor):
    cases = [
        ({"builtin": "nope"}, "unknown built-in"),
        ({}, "choose one dataset"),
        ({"builtin": "iris", "network": {"type": "cnn"}}, "CNN needs an image dataset"),
        ({"builtin": "iris", "network": {"type": "mlp", "hidden": [0]}}, "hidden[0]"),
        ({"builtin": "iris", "network": {"type": "mlp", "activation": "cubic"}}, "activation"),
        ({"builtin": "iris", "optimizer": {"lr": -1}}, "learning rate"),
        ({"builtin": "iris", "optimizer": {"batch_size": 2.5}}, "whole number"),
        ({"builtin": "iris", "network": {"type": "maskrcnn"}}, "COCO"),
    ]
    for payload, words in cases:
        r = student_api.post("/api/training/runs/", payload, format="json")
        assert r.status_code == 400 and words in error_text(r), (payload, r.json())


def test_private_dataset_not_trainable_by_student(student_api, iris_dataset):
    iris_dataset.visibility = "private"
    iris_dataset.save()
    r = student_api.post("/api/training/runs/", {"dataset": iris_dataset.pk}, format="json")
    assert r.status_code == 400 and "may not use it" in error_detail(r)


def test_roles_on_runs(student, other_student, instructor, api_client):
    from rest_framework.test import APIClient

    run = services.create_run(student, builtin="iris", enqueue=False)

    def client(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    assert client(other_student).get(f"/api/training/runs/{run.pk}/").status_code == 404
    assert client(other_student).get("/api/training/runs/").json() == []
    assert client(other_student).post(f"/api/training/runs/{run.pk}/cancel/").status_code == 404
    assert client(instructor).get(f"/api/training/runs/{run.pk}/").status_code == 200
    assert client(student).get(f"/api/training/runs/{run.pk}/").status_code == 200
    assert api_client.get(f"/api/training/runs/{run.pk}/").status_code in (403, 404)
    assert (
        api_client.post("/api/training/runs/", {"builtin": "iris"}, format="json").status_code
        == 403
    )


def test_choices_list_visible_datasets(student_api, iris_dataset):
    body = student_api.get("/api/training/choices/").json()
    assert "iris" in [b["id"] for b in body["builtin"]]
    assert [u["name"] for u in body["uploaded"]] == ["Iris"]
    assert body["quota"]["role"] == "student" and body["quota"]["max_active"] == 1


def test_model_download(student_api, student, _media):
    run = run_now(
        services.create_run(student, builtin="iris", optimizer={"epochs": 2}, enqueue=False)
    )
    r = student_api.get(f"/api/training/runs/{run.pk}/model/")
    assert r.status_code == 200
    data = b"".join(r.streaming_content)
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    assert sess.get_outputs()[0].shape[-1] == 3
    assert student_api.get(f"/api/training/runs/{run.pk}/model/?file=npz").status_code == 200


def test_wall_time_limit_stops_and_keeps_the_model(student):
    run = services.create_run(
        student,
        builtin="digits",
        network={"type": "cnn", "conv": [{"filters": 8, "kernel": 3, "pool": 2}], "hidden": [32]},
        optimizer={"lr": 0.05, "batch_size": 8, "epochs": 50},
        enqueue=False,
    )
    TrainingRun.objects.filter(pk=run.pk).update(max_seconds=1)
    run = run_now(run)
    assert run.status == "succeeded"
    assert "1 s time limit" in run.reason and run.metrics["epochs_done"] < 50
    assert run.onnx


def test_time_limit_reached_at_the_end_of_an_epoch_still_finishes(student, monkeypatch):
    # the limit passes while the epoch is evaluated: the check after it must end training
    # gracefully (keep the model), not leave the run "running" for the heartbeat sweep
    monkeypatch.setattr(tasks, "PROGRESS_INTERVAL", 1e9)  # no checks inside the epoch

    def out_of_time(self):
        raise tasks.Stop("time")

    monkeypatch.setattr(Trainer, "check", out_of_time)
    run = services.create_run(student, builtin="iris", optimizer={"epochs": 3}, enqueue=False)
    run = run_now(run)
    assert run.status == "succeeded" and run.onnx
    assert run.metrics["epochs_done"] == 3 and "time limit" not in run.reason  # all epochs ran


def shapes_coco_dataset(owner, n=6, size=64):
    """A small COCO upload made from the engine's shape images."""
    import io
    import json
    import zipfile

    from PIL import Image

    from engine.detection.shapes import make_dataset
    from nnweb.datasets.services import import_dataset

    images, coco = make_dataset(n, seed=5)  # 128×128, resized to ``size`` on import
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for info, img in zip(coco["images"], images):
            png = io.BytesIO()
            Image.fromarray(img).save(png, format="PNG")
            zf.writestr(info["file_name"], png.getvalue())
    buf.name = "shapes.zip"
    ann = io.BytesIO(json.dumps(coco).encode())
    ann.name = "annotations.json"
    return import_dataset(owner, buf, annotations=ann, visibility="students", image_size=size)


def test_maskrcnn_fine_tunes_on_an_uploaded_coco_set(instructor, student, _media):
    ds = shapes_coco_dataset(instructor)
    assert ds.kind == "instance_segmentation" and ds.class_names == ["square", "circle", "triangle"]
    with pytest.raises(services.RunRejected, match="parameters"):
        services.create_run(student, dataset=ds.pk, network={"type": "maskrcnn"}, enqueue=False)
    with pytest.raises(services.RunRejected, match="trains a Mask R-CNN"):
        services.create_run(student, dataset=ds.pk, network={"type": "mlp"}, enqueue=False)
    run = services.create_run(
        instructor,
        dataset=ds.pk,
        network={"type": "maskrcnn"},
        optimizer={"epochs": 1, "batch_size": 2, "val_fraction": 0.34},
        enqueue=False,
    )
    assert run.optimizer["lr"] == 0.001 and run.n_params > 1_000_000
    run = run_now(run)
    assert run.status == "succeeded", run.reason
    assert run.step == run.total_steps == 2 and len(run.history) == 1
    assert 0.0 <= run.metrics["mask_AP"] <= 1.0 and run.ap == run.metrics["mask_AP"]
    assert (_media / run.onnx).is_file() and (_media / run.checkpoint).is_file()
    assert run.result_model is not None and run.result_model.task == "instance_segmentation"


def test_cnn_on_uploaded_image_zip(instructor, student, _media):
    """Two classes of 12×12 images (bright left half vs bright right half)."""
    import io
    import zipfile

    from PIL import Image

    from nnweb.datasets.services import import_dataset

    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(30):
            for name, cols in (("left", slice(0, 6)), ("right", slice(6, 12))):
                img = rng.integers(0, 60, (12, 12), dtype=np.uint8)
                img[:, cols] += 150
                png = io.BytesIO()
                Image.fromarray(img).save(png, format="PNG")
                zf.writestr(f"halves/{name}/{i}.png", png.getvalue())
    buf.name = "halves.zip"
    ds = import_dataset(instructor, buf, visibility="students", image_size=12)
    assert ds.input_shape == [1, 12, 12] and ds.class_names == ["left", "right"]
    run = services.create_run(
        student,
        dataset=ds.pk,
        network={"type": "cnn", "conv": [{"filters": 4, "kernel": 3, "pool": 2}], "hidden": [8]},
        optimizer={"lr": 0.05, "batch_size": 8, "epochs": 8},
        enqueue=False,
    )
    run = run_now(run)
    assert run.status == "succeeded", run.reason
    assert run.metrics["val_accuracy"] >= 0.9
    sess = ort.InferenceSession(str(_media / run.onnx), providers=["CPUExecutionProvider"])
    from nnweb.datasets.services import load_arrays

    X, y, _ = load_arrays(ds)
    out = sess.run(None, {sess.get_inputs()[0].name: np.asarray(X, np.float32)})[0]
    assert (out.argmax(axis=1) == y).mean() >= 0.9


def test_every_builtin_accepts_a_default_run(student):
    from nnweb.training.builtins import BUILTINS

    for name in BUILTINS:
        run = services.create_run(student, builtin=name, enqueue=False)
        assert run.total_steps > 0 and run.n_params > 0, name
        TrainingRun.objects.filter(pk=run.pk).update(status="cancelled")
    run = run_now(
        services.create_run(
            student,
            builtin="circle",
            network={"type": "mlp", "hidden": [32, 32], "activation": "tanh"},
            optimizer={"lr": 0.05, "batch_size": 8, "epochs": 40},
            enqueue=False,
        )
    )
    assert run.status == "succeeded" and run.metrics["val_accuracy"] >= 0.8


def test_exploding_loss_fails_as_diverged_and_publishes_nothing(student, _media):
    from nnweb.modelzoo.models import TrainedModel

    run = services.create_run(
        student,
        builtin="iris",
        network={"type": "mlp"},  # the default ReLU network: its loss reaches 1e7 by epoch 2
        optimizer={"lr": 10, "momentum": 0.99, "epochs": 20},
        enqueue=False,
    )
    run = run_now(run)
    assert run.status == "failed", (run.status, run.train_loss, run.reason)
    assert "diverged" in run.reason and "lr=10" in run.reason
    assert run.result_model is None and not run.onnx and not run.checkpoint
    assert not TrainedModel.objects.filter(owner=student).exists()
    assert not (_media / "training" / str(run.pk)).exists()


def test_non_finite_weights_fail_as_diverged(student, monkeypatch):
    real_evaluate = tasks.Sequential.evaluate
    calls = {"n": 0}

    def poisoned(self, x, y):
        calls["n"] += 1
        if calls["n"] == 2:  # after the first epoch: a weight overflowed, the loss still finite
            self.layers[0].W[0, 0] = np.inf
        return real_evaluate(self, x, y) if calls["n"] != 2 else {"loss": 1.0, "accuracy": 0.5}

    monkeypatch.setattr(tasks.Sequential, "evaluate", poisoned)
    run = run_now(services.create_run(student, builtin="iris", network=MLP, enqueue=False))
    assert run.status == "failed" and "non-finite" in run.reason and "diverged" in run.reason
    assert run.result_model is None
