"""Any instance-segmentation model of the model zoo can be chosen, by those who may see it."""

from __future__ import annotations

import io

import numpy as np
import onnx
import pytest
from PIL import Image

from nnweb.modelzoo.models import TrainedModel
from tests.web.api_errors import errors_of

from .conftest import build_fake_model


def _png() -> bytes:
    arr = np.full((64, 64, 3), 240, np.uint8)
    arr[10:30, 10:30] = 0
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def zoo_model(student, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    folder = tmp_path / "media" / "modelzoo" / "seg1"
    folder.mkdir(parents=True)
    onnx.save(build_fake_model(), folder / "model.onnx")
    return TrainedModel.objects.create(
        owner=student,
        name="My shapes Mask R-CNN",
        task=TrainedModel.Task.INSTANCE_SEGMENTATION,
        folder="seg1",
        onnx="modelzoo/seg1/model.onnx",
        visibility=TrainedModel.Visibility.PUBLIC,
    )


@pytest.mark.django_db
def test_owner_can_choose_a_zoo_model(student_api, fake_model, zoo_model):
    models = student_api.get("/api/segmentation/models/").json()["models"]
    assert [m["id"] for m in models] == ["shipped", f"zoo-{zoo_model.pk}"]
    assert models[1]["source"] == "modelzoo" and models[1]["default"] is False
    f = io.BytesIO(_png())
    f.name = "a.png"
    r = student_api.post(
        "/api/segmentation/run/", {"image": f, "model": f"zoo-{zoo_model.pk}"}, format="multipart"
    )
    assert r.status_code == 200, r.content
    assert r.json()["model"]["name"] == "My shapes Mask R-CNN"


@pytest.mark.django_db
def test_the_zoo_is_shared_but_unknown_ids_are_refused(api_client, fake_model, zoo_model):
    # the model zoo is the class's shared shelf: anyone may run its models
    ids = [m["id"] for m in api_client.get("/api/segmentation/models/").json()["models"]]
    assert ids == ["shipped", f"zoo-{zoo_model.pk}"]
    r = api_client.post("/api/segmentation/run/", {"seed": 1, "model": f"zoo-{zoo_model.pk}"})
    assert r.status_code == 200
    r = api_client.post("/api/segmentation/run/", {"seed": 1, "model": f"zoo-{zoo_model.pk + 1}"})
    assert r.status_code == 400 and errors_of(r)[0]["attr"] == "model"


@pytest.mark.django_db
def test_other_tasks_are_not_offered(api_client, fake_model, zoo_model):
    zoo_model.task = TrainedModel.Task.CLASSIFICATION
    zoo_model.save()
    ids = [m["id"] for m in api_client.get("/api/segmentation/models/").json()["models"]]
    assert ids == ["shipped"]


@pytest.mark.django_db
def test_zoo_model_is_the_default_without_a_shipped_model(student_api, settings, zoo_model):
    settings.SEGMENTATION_DEFAULT_MODEL = str(zoo_model.onnx.path) + ".missing"
    models = student_api.get("/api/segmentation/models/").json()["models"]
    assert [(m["id"], m["default"]) for m in models] == [(f"zoo-{zoo_model.pk}", True)]
    assert student_api.post("/api/segmentation/run/", {"seed": 3}).status_code == 200


@pytest.mark.django_db
def test_zoo_page_links_to_the_demo_with_the_model_chosen(client, fake_model, zoo_model):
    url = f"/segmentation/?model=zoo-{zoo_model.pk}"
    detail = client.get(f"/models/{zoo_model.pk}/").content.decode()
    assert f'href="{url}"' in detail and "Run in the segmentation demo" in detail
    page = client.get(url).content.decode()
    assert f'<option value="zoo-{zoo_model.pk}" selected>' in page
    assert '<option value="shipped" selected>' not in page
