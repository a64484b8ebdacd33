"""Model zoo API: list, retrieve, download, upload (instructors, validated first), delete."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from django.core.exceptions import PermissionDenied

from engine import runtime
from engine.onnx import load
from nnweb.modelzoo import services
from nnweb.modelzoo.models import TrainedModel
from tests.web.api_errors import error_detail, error_text

from .conftest import BAD_FILES, named, onnx_bytes, small_cnn, small_mlp

pytestmark = pytest.mark.django_db

URL = "/api/modelzoo/"


def _files(media) -> list[str]:
    root = media / "modelzoo"
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def published(student):
    return services.publish_model(
        student,
        "digits mlp",
        "classification",
        small_mlp(),
        {"val_accuracy": np.float64(0.75), "loss": [1.0, 0.5]},
        class_names=["zero", "one", "two"],
        visibility="public",
    )


def test_publish_model_writes_onnx_checkpoint_and_record(published, _media):
    m = published
    assert m.task == "classification" and m.source == "trained"
    assert m.metrics == {"val_accuracy": 0.75, "loss": [1.0, 0.5]}
    assert m.class_names == ["zero", "one", "two"]
    assert m.input_shape == [4] and m.input_layout == "ND"
    assert m.loadable and m.load_error == ""
    assert m.spec["layers"][0]["type"] == "Dense"
    assert _files(_media) == [f"{m.folder}/checkpoint.npz", f"{m.folder}/model.onnx"]
    from engine import Sequential

    ckpt = Sequential.load(services.media_root() / m.checkpoint.name)
    x = np.random.default_rng(0).normal(size=(2, 4))
    np.testing.assert_allclose(ckpt.forward(x), small_mlp().forward(x))
    net = services.load_network(m).net
    np.testing.assert_allclose(net.forward(x), small_mlp().forward(x), rtol=1e-5)
    meta = {p.key: p.value for p in onnx.load(services.onnx_path(m)).metadata_props}
    assert meta["producer"] == "nnweb" and meta["task"] == "classification"


def test_publish_failure_leaves_nothing(student, _media, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(TrainedModel.objects, "create", boom)
    with pytest.raises(RuntimeError):
        services.publish_model(student, "x", "classification", small_mlp(), {})
    assert TrainedModel.objects.count() == 0
    assert _files(_media) == []
    with pytest.raises(services.ModelRejected, match="task"):
        services.publish_model(student, "x", "clustering", small_mlp(), {})


def test_session_for_serves_the_model(published):
    sess = services.session_for(published)
    x = np.random.default_rng(1).normal(size=(3, 4))
    result = sess.run(x)
    np.testing.assert_allclose(result.output, small_mlp().forward(x), rtol=1e-5, atol=1e-6)
    assert result.provider in runtime.available_providers()
    assert services.session_for(published) is sess


def test_list_and_retrieve_for_everyone(api_client, published):
    r = api_client.get(URL)
    assert r.status_code == 200
    (item,) = r.json()
    assert item["id"] == published.pk and item["owner"] == "alice"
    assert item["playground_url"] == f"/playground/?model={published.pk}"
    assert item["download_url"] == f"{URL}{published.pk}/download/"
    assert item["can_delete"] is False and item["has_checkpoint"] is True
    r = api_client.get(f"{URL}{published.pk}/")
    assert r.status_code == 200 and r.json()["metrics"]["val_accuracy"] == 0.75
    assert api_client.get(f"{URL}?task=regression").json() == []
    assert api_client.get(f"{URL}999/").status_code == 404


def test_download_is_an_onnx_attachment(api_client, published):
    r = api_client.get(f"{URL}{published.pk}/download/")
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    assert 'filename="digits-mlp.onnx"' in r["Content-Disposition"]
    data = b"".join(r.streaming_content)
    net = load(data)
    assert [type(layer).__name__ for layer in net.layers] == ["Dense", "Dense"]


def test_instructor_uploads_a_model(instructor_api, _media):
    data = onnx_bytes(small_cnn(), class_names=["a", "b", "c"], input_shape=(1, 8, 8))
    r = instructor_api.post(
        URL,
        {"file": named(data, "tiny cnn.onnx"), "task": "classification", "description": "hi"},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "tiny cnn" and body["source"] == "uploaded"
    assert body["class_names"] == ["a", "b", "c"]
    assert body["input_shape"] == [1, 8, 8] and body["input_layout"] == "NCHW"
    assert body["loadable"] is True and body["can_delete"] is True
    m = TrainedModel.objects.get(pk=body["id"])
    assert services.onnx_path(m).read_bytes() == data
    assert not m.checkpoint


def test_upload_of_a_servable_but_not_loadable_model(instructor_api):
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [
            helper.make_node("Transpose", ["input"], ["t"], name="t", perm=[1, 0]),
            helper.make_node("Transpose", ["t"], ["output"], name="t2", perm=[1, 0]),
        ],
        "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    r = instructor_api.post(
        URL, {"file": named(model.SerializeToString()), "task": "regression"}, format="multipart"
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["loadable"] is False and body["playground_url"] is None
    assert "Transpose" in body["load_error"] and "'t'" in body["load_error"]


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_every_upload_refusal_is_a_400_and_writes_nothing(kind, instructor_api, _media):
    make, message = BAD_FILES[kind]
    r = instructor_api.post(URL, {"file": named(make(), f"{kind}.onnx")}, format="multipart")
    assert r.status_code == 400, r.content
    detail = error_detail(r)
    assert message in detail
    assert detail.startswith(f"{kind}.onnx")
    assert TrainedModel.objects.count() == 0
    assert _files(_media) == []


def test_upload_size_limit(instructor_api, settings, _media):
    settings.NNWEB_LIMITS = {**settings.NNWEB_LIMITS, "MAX_MODEL_BYTES": 100}
    r = instructor_api.post(URL, {"file": named(onnx_bytes())}, format="multipart")
    assert r.status_code == 400
    assert "over the size limit of 100 bytes" in error_detail(r)
    assert TrainedModel.objects.count() == 0 and _files(_media) == []


def test_upload_form_errors(instructor_api):
    r = instructor_api.post(URL, {"name": "no file"}, format="multipart")
    assert r.status_code == 400 and error_text(r).startswith("file:")
    r = instructor_api.post(URL, {"file": named(onnx_bytes()), "task": "x"}, format="multipart")
    assert r.status_code == 400 and error_text(r).startswith("task:")


def test_segmentation_upload_needs_the_demo_outputs(instructor_api):
    r = instructor_api.post(
        URL, {"file": named(onnx_bytes()), "task": "instance_segmentation"}, format="multipart"
    )
    assert r.status_code == 400
    assert "boxes" in error_detail(r) and "masks" in error_detail(r)


def test_students_and_anonymous_cannot_upload(student_api, api_client, _media):
    for client in (student_api, api_client):
        r = client.post(URL, {"file": named(onnx_bytes())}, format="multipart")
        assert r.status_code in (401, 403)
    assert TrainedModel.objects.count() == 0 and _files(_media) == []
    with pytest.raises(PermissionDenied):
        from django.contrib.auth import get_user_model

        services.upload_model(get_user_model().objects.get(username="alice"), named(b""))


def test_delete_roles(
    published, api_client, other_student, student_api, _media, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    url = f"{URL}{published.pk}/"
    assert api_client.delete(url).status_code in (401, 403)
    bob = APIClient()
    bob.force_login(other_student)
    assert bob.delete(url).status_code == 403
    assert TrainedModel.objects.filter(pk=published.pk).exists()
    # the owner may delete
    with django_capture_on_commit_callbacks(execute=True):
        assert student_api.delete(url).status_code == 204
    assert not TrainedModel.objects.filter(pk=published.pk).exists()
    assert _files(_media) == []


def test_instructor_deletes_any_model(
    published, instructor_api, _media, django_capture_on_commit_callbacks
):
    path = services.onnx_path(published)
    services.session_for(published)
    assert str(path) in runtime.cached_paths()
    with django_capture_on_commit_callbacks(execute=True):
        assert instructor_api.delete(f"{URL}{published.pk}/").status_code == 204
    assert _files(_media) == []
    assert str(path) not in runtime.cached_paths()
    assert instructor_api.delete(f"{URL}{published.pk}/").status_code == 404


def test_segmentation_models_listing(instructor, _media):
    from onnx import TensorProto, helper

    outs = ["boxes", "labels", "scores", "masks"]
    nodes = [helper.make_node("Identity", ["image"], [o], name=f"id_{o}") for o in outs]
    graph = helper.make_graph(
        nodes,
        "seg",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "H", "W"])],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, [1, 3, "H", "W"]) for o in outs],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m = services.publish_model(instructor, "seg", "segmentation", model, {"mask_ap": 0.5})
    assert m.task == "instance_segmentation" and not m.loadable
    (item,) = services.segmentation_models(instructor)
    assert item["id"] == f"zoo-{m.pk}" and item["path"] == str(services.onnx_path(m))


def test_publish_an_engine_mask_rcnn(instructor, _media):
    from engine.detection.maskrcnn import MaskRCNN

    m = services.publish_model(instructor, "shapes", "instance_segmentation", MaskRCNN(), {})
    assert m.task == "instance_segmentation" and not m.loadable and m.checkpoint
    sess = services.session_for(m)
    assert set(sess.output_names) >= {"boxes", "labels", "scores", "masks"}
