"""The admin lists datasets, runs, worker beats and trained models, each with a row in it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nnweb.datasets.models import Dataset
from nnweb.modelzoo.models import TrainedModel
from nnweb.training.models import TrainingRun, WorkerBeat


@pytest.fixture
def admin_client(db):
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x-Pass-42!")
    ds = Dataset.objects.create(
        owner=root, name="iris", kind="tabular", task="classification", folder="iris-1"
    )
    TrainingRun.objects.create(owner=root, dataset=ds, dataset_name="iris", task=ds.task)
    WorkerBeat.objects.create(worker_id="worker-1", beat_at=timezone.now())
    TrainedModel.objects.create(owner=root, name="iris net", task=ds.task, folder="m-1")
    c = Client()
    c.force_login(root)
    return c


@pytest.mark.parametrize(
    "model, shown",
    [
        (Dataset, ["iris", "Tabular (CSV)", "Private (only me)"]),
        (TrainingRun, ["iris", "Queued"]),
        (WorkerBeat, ["worker-1"]),
        (TrainedModel, ["iris net", "Private (only me)"]),
    ],
)
def test_changelist_answers_with_its_columns(admin_client, model, shown):
    opts = model._meta
    r = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert r.status_code == 200
    body = r.content.decode()
    for text in shown:
        assert text in body
    r = admin_client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "iris"}
    )
    assert r.status_code == 200
