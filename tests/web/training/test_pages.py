"""Training pages: new-run form lists visible datasets, run page, cancel."""

from __future__ import annotations

import pytest

from nnweb.training import services
from nnweb.training.models import TrainingRun
from nnweb.training.tasks import Trainer

pytestmark = pytest.mark.django_db


def test_new_run_page_lists_builtin_and_visible_datasets(student_client, iris_dataset):
    page = student_client.get("/training/new/").content.decode()
    assert 'value="builtin:iris"' in page and f'value="uploaded:{iris_dataset.pk}"' in page
    page = student_client.get(f"/training/new/?dataset={iris_dataset.pk}").content.decode()
    assert f'value="uploaded:{iris_dataset.pk}" data-kind="tabular" selected' in page


def test_create_run_through_the_page_and_view_it(student_client, student, iris_dataset):
    r = student_client.post(
        "/training/new/",
        {
            "source": f"uploaded:{iris_dataset.pk}",
            "network": "mlp",
            "hidden": "8",
            "activation": "tanh",
            "lr": "0.05",
            "batch_size": "8",
            "momentum": "0.9",
            "epochs": "5",
            "val_fraction": "0.2",
            "seed": "0",
        },
    )
    assert r.status_code == 302
    run = TrainingRun.objects.get()
    assert r["Location"] == f"/training/{run.pk}/"
    assert run.network == {"type": "mlp", "hidden": [8], "activation": "tanh"}
    page = student_client.get(f"/training/{run.pk}/").content.decode()
    assert 'id="run-progress"' in page and 'data-status="queued"' in page
    assert 'id="cancel-button"' in page
    Trainer(run.pk).run()
    page = student_client.get(f"/training/{run.pk}/").content.decode()
    assert 'data-status="succeeded"' in page and 'id="confusion-table"' in page
    assert f'value="{run.total_steps}"' in page  # the bar is full
    assert "Download ONNX" in page and 'id="run-model-link"' in page
    assert student_client.get("/training/").content.decode().count(f"/training/{run.pk}/") == 1


def test_page_refusal_is_400_with_the_message(student_client):
    r = student_client.post(
        "/training/new/", {"source": "builtin:iris", "hidden": "600, 600", "epochs": "5"}
    )
    assert r.status_code == 400 and "parameters" in r.content.decode()
    r = student_client.post("/training/new/", {"source": "builtin:iris", "hidden": "a,b"})
    assert r.status_code == 400 and "whole numbers" in r.content.decode()


def test_other_students_run_page_is_404_and_cancel(student, other_student, client):
    run = services.create_run(student, builtin="iris", enqueue=False)
    client.force_login(other_student)
    assert client.get(f"/training/{run.pk}/").status_code == 404
    assert client.post(f"/training/{run.pk}/cancel/").status_code == 404
    client.force_login(student)
    assert client.post(f"/training/{run.pk}/cancel/").status_code == 302
    assert TrainingRun.objects.get(pk=run.pk).status == "cancelled"


def test_page_checks_the_form_with_the_api_serializer_and_shows_errors_inline(student_client):
    r = student_client.post(
        "/training/new/",
        {"source": "builtin:iris", "hidden": "8", "lr": "fast", "epochs": "2.5"},
    )
    page = r.content.decode()
    assert r.status_code == 400 and not TrainingRun.objects.exists()
    # the API's messages (nnweb.training.serializers), each under its own field
    assert '<p class="field-error" id="id_lr_error">must be a number.</p>' in page
    assert '<p class="field-error" id="id_epochs_error">must be a whole number.</p>' in page
    assert 'id="id_lr" value="fast" aria-invalid="true" aria-describedby="id_lr_error"' in page
    r = student_client.post("/training/new/", {"source": "", "hidden": "a,b"})
    page = r.content.decode()
    assert r.status_code == 400 and 'id="id_source_error">choose a dataset<' in page
    assert 'id="id_hidden_error">write whole numbers separated by commas' in page
