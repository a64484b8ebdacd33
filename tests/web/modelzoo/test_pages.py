"""Model zoo pages: list, detail (metrics, download, playground link), upload form, delete."""

from __future__ import annotations

import pytest

from nnweb.modelzoo import services
from nnweb.modelzoo.models import TrainedModel

from .conftest import bad_external_data, named, onnx_bytes, small_cnn, small_mlp

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(student):
    return services.publish_model(
        student,
        "xor net",
        "classification",
        small_mlp(),
        {"val_accuracy": 0.875, "loss": 0.3},
        visibility="public",
    )


def test_list_page_shows_models_and_links(anon_client, published):
    r = anon_client.get("/models/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "xor net" in html and "val accuracy 0.875" in html
    assert f"/api/modelzoo/{published.pk}/download/" in html
    assert f"/playground/?model={published.pk}" in html
    assert "Upload an ONNX model" not in html  # anonymous: no upload form


def test_detail_page(anon_client, published):
    html = anon_client.get(f"/models/{published.pk}/").content.decode()
    assert "Open in playground" in html and f"/playground/?model={published.pk}" in html
    assert "Download .onnx" in html and "Netron" in html
    assert "val accuracy" in html and "0.875" in html
    assert "Dense" in html and "(4)" in html
    assert "Delete this model" not in html
    assert anon_client.get("/models/999/").status_code == 404


def test_detail_page_of_a_model_the_playground_cannot_open(instructor_client):
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Transpose", ["input"], ["output"], name="swap", perm=[1, 0])],
        "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [3, 2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    r = instructor_client.post(
        "/models/", {"file": named(model.SerializeToString(), "swap.onnx"), "task": "regression"}
    )
    assert r.status_code == 302
    html = instructor_client.get(r["Location"]).content.decode()
    assert "Open in playground" not in html
    assert "cannot be stepped through" in html and "Transpose" in html


def test_instructor_uploads_through_the_form(instructor_client, _media):
    html = instructor_client.get("/models/").content.decode()
    assert "Upload an ONNX model" in html
    data = onnx_bytes(small_cnn(), input_shape=(1, 8, 8))
    r = instructor_client.post(
        "/models/", {"file": named(data, "cnn.onnx"), "name": "My CNN", "task": "classification"}
    )
    assert r.status_code == 302
    m = TrainedModel.objects.get()
    assert r["Location"] == f"/models/{m.pk}/" and m.name == "My CNN"
    html = instructor_client.get(r["Location"]).content.decode()
    assert "Uploaded" in html and "Conv2D" in html and "(1, 8, 8)" in html


def test_upload_refusal_is_shown_and_nothing_stored(instructor_client, _media):
    r = instructor_client.post(
        "/models/", {"file": named(bad_external_data(), "evil.onnx"), "name": "evil"}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "evil.onnx" in html and "external data" in html
    assert 'value="evil"' in html  # the form keeps what was typed
    assert TrainedModel.objects.count() == 0
    root = _media / "modelzoo"
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_upload_form_is_checked_by_the_api_serializer_with_errors_inline(instructor_client, _media):
    data = onnx_bytes(small_mlp())
    r = instructor_client.post(
        "/models/", {"file": named(data, "m.onnx"), "name": "m", "task": "poetry"}
    )
    html = r.content.decode()
    assert r.status_code == 400 and TrainedModel.objects.count() == 0
    # the API's message (nnweb.modelzoo.serializers.ModelUploadSerializer), under the field
    assert 'id="id_task_error">&quot;poetry&quot; is not a valid choice.<' in html
    assert 'aria-invalid="true" aria-describedby="id_task_error"' in html


def test_students_cannot_upload_through_the_form(student_client):
    html = student_client.get("/models/").content.decode()
    assert "Upload an ONNX model" not in html
    r = student_client.post("/models/", {"file": named(onnx_bytes(), "m.onnx")})
    assert r.status_code == 403
    assert TrainedModel.objects.count() == 0


def test_delete_through_the_page(
    published, student_client, other_student, django_capture_on_commit_callbacks
):
    from django.test import Client

    bob = Client()
    bob.force_login(other_student)
    assert bob.post(f"/models/{published.pk}/delete/").status_code == 403
    html = student_client.get(f"/models/{published.pk}/").content.decode()
    assert "Delete this model" in html
    with django_capture_on_commit_callbacks(execute=True):
        r = student_client.post(f"/models/{published.pk}/delete/")
    assert r.status_code == 302 and r["Location"] == "/models/"
    assert not TrainedModel.objects.exists()


def test_delete_is_post_only_and_anonymous_visitors_are_refused(published, anon_client):
    assert anon_client.get(f"/models/{published.pk}/delete/").status_code == 405
    published.visibility = "public"
    published.save()
    r = anon_client.post(f"/models/{published.pk}/delete/")
    assert r.status_code == 403 and "owner or an instructor" in r.content.decode()
    assert TrainedModel.objects.filter(pk=published.pk).exists()
