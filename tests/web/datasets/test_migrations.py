"""The instance-segmentation task keeps one spelling: rows made before the rename are migrated."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("datasets", "0001_initial"), ("training", "0003_worker_beat")]
AFTER = [
    ("datasets", "0002_instance_segmentation_task"),
    ("training", "0004_instance_segmentation_task"),
]


def _migrate(targets=None):
    """Migrate the test database to ``targets`` (all leaves when None); the apps at that state."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_segmentation_rows_are_renamed_and_back():
    old = _migrate(BEFORE)
    owner = old.get_model(*settings.AUTH_USER_MODEL.split(".")).objects.create(username="mig")
    Dataset = old.get_model("datasets", "Dataset")
    common = dict(owner_id=owner.pk, kind="instance_segmentation", original_name="a.zip")
    seg = Dataset.objects.create(name="shapes", task="segmentation", folder="f1", **common)
    cls = Dataset.objects.create(name="iris", task="classification", folder="f2", **common)
    run = old.get_model("training", "TrainingRun").objects.create(
        owner_id=owner.pk, task="segmentation", dataset_name="shapes"
    )
    try:
        new = _migrate(AFTER)
        Dataset = new.get_model("datasets", "Dataset")
        assert Dataset.objects.get(pk=seg.pk).task == "instance_segmentation"
        assert Dataset.objects.get(pk=cls.pk).task == "classification"
        Run = new.get_model("training", "TrainingRun")
        assert Run.objects.get(pk=run.pk).task == "instance_segmentation"

        back = _migrate(BEFORE)
        assert back.get_model("datasets", "Dataset").objects.get(pk=seg.pk).task == "segmentation"
        assert back.get_model("training", "TrainingRun").objects.get(pk=run.pk).task == (
            "segmentation"
        )
    finally:
        _migrate()  # the next tests expect the latest schema
