"""Who sees which model: private (owner and instructors), students (signed-in users), public.

A training run's output starts private, so a student's run (or a run on a private dataset,
whose name and class names the model carries) is invisible to other students and to anonymous
visitors everywhere models are read: the API (list, retrieve, download), the pages, the
segmentation demo's model list and the playground's ``?model=``. Only instructors may open a
model to students or to everyone; a student may keep their own model private.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from onnx import TensorProto, helper

from engine import Dense, Sequential
from nnweb.modelzoo import selectors, services
from nnweb.modelzoo.models import TrainedModel
from nnweb.playground import frames
from nnweb.training.models import TrainingRun
from nnweb.training.tasks import publish
from tests.web.api_errors import error_detail, error_text, errors_of

from .conftest import named, onnx_bytes

pytestmark = pytest.mark.django_db

URL = "/api/modelzoo/"


def _xor_net() -> Sequential:
    return Sequential([Dense(2, 3, "tanh"), Dense(3, 2, "softmax")], "cross_entropy", seed=4)


def _run_output(owner, name: str = "secret survey") -> TrainedModel:
    """What a finished training run publishes (nnweb.training.tasks.publish)."""
    run = TrainingRun.objects.create(
        owner=owner, dataset_name=name, task="classification", class_names=["yes", "no"]
    )
    model_id, problem = publish(run, _xor_net(), {"val_accuracy": 0.9}, (2,))
    assert problem == "" and model_id is not None
    return TrainedModel.objects.get(pk=model_id)


def _seg_graph():
    outs = ["boxes", "labels", "scores", "masks"]
    nodes = [helper.make_node("Identity", ["image"], [o], name=f"id_{o}") for o in outs]
    graph = helper.make_graph(
        nodes,
        "seg",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "H", "W"])],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, [1, 3, "H", "W"]) for o in outs],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.fixture
def run_model(student):
    return _run_output(student)


def _playground(client, pk):
    r = client.post("/api/playground/sessions/", {"config": {}, "model": pk}, format="json")
    return r.status_code, frames.loads(r.content)


def test_a_run_output_starts_private(run_model):
    assert run_model.visibility == "private" and run_model.source == "trained"
    assert run_model.name.startswith("secret survey")


def test_uploads_and_plain_publishes_stay_public(instructor, instructor_api):
    r = instructor_api.post(URL, {"file": named(onnx_bytes())}, format="multipart")
    assert r.status_code == 201 and r.json()["visibility"] == "public"
    r = instructor_api.post(
        URL, {"file": named(onnx_bytes()), "visibility": "students"}, format="multipart"
    )
    assert r.status_code == 201 and r.json()["visibility"] == "students"
    r = instructor_api.post(
        URL, {"file": named(onnx_bytes()), "visibility": "secret"}, format="multipart"
    )
    assert r.status_code == 400 and error_text(r).startswith("visibility:")
    m = services.publish_model(instructor, "seeded", "classification", _xor_net(), {})
    assert m.visibility == "private"
    with pytest.raises(services.ModelRejected, match="visibility"):
        services.publish_model(instructor, "x", "classification", _xor_net(), {}, visibility="x")


@pytest.mark.parametrize("who", ["anonymous", "bob"])
def test_others_do_not_see_a_students_run_output(who, run_model, api_client, other_student_api):
    client = api_client if who == "anonymous" else other_student_api
    assert client.get(URL).json() == []
    assert client.get(f"{URL}?task=classification").json() == []
    assert client.get(f"{URL}{run_model.pk}/").status_code == 404
    assert client.get(f"{URL}{run_model.pk}/download/").status_code == 404
    code, body = _playground(client, run_model.pk)
    assert code == 400 and body["errors"][0]["attr"] == "model"
    detail = body["errors"][0]["detail"]
    assert str(run_model.pk) in detail and "secret" not in detail
    # and nobody else may change or delete it either
    assert client.patch(f"{URL}{run_model.pk}/", {"visibility": "private"}).status_code in (
        401,
        403,
        404,
    )
    assert client.delete(f"{URL}{run_model.pk}/").status_code in (401, 403, 404)
    assert TrainedModel.objects.get(pk=run_model.pk).visibility == "private"


@pytest.mark.parametrize("who", ["anonymous", "bob"])
def test_pages_hide_it_too(who, run_model, anon_client, other_student_client):
    client = anon_client if who == "anonymous" else other_student_client
    html = client.get("/models/").content.decode()
    assert "secret survey" not in html and "yes, no" not in html
    assert client.get(f"/models/{run_model.pk}/").status_code == 404
    r = client.post(f"/models/{run_model.pk}/visibility/", {"visibility": "public"})
    assert r.status_code in (302, 404)  # anonymous may be sent to sign in
    assert TrainedModel.objects.get(pk=run_model.pk).visibility == "private"


@pytest.mark.parametrize("who", ["owner", "instructor"])
def test_owner_and_instructors_see_it(who, run_model, student_api, instructor_api):
    client = student_api if who == "owner" else instructor_api
    (item,) = client.get(URL).json()
    assert item["id"] == run_model.pk and item["visibility"] == "private"
    assert item["class_names"] == ["yes", "no"]
    assert client.get(f"{URL}{run_model.pk}/").status_code == 200
    r = client.get(f"{URL}{run_model.pk}/download/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment;")
    code, body = _playground(client, run_model.pk)
    assert code == 201, body
    assert body["config"]["dataset"] == f"model:{run_model.pk}"


def test_owner_and_instructors_see_the_page(run_model, student_client, instructor_client):
    html = student_client.get(f"/models/{run_model.pk}/").content.decode()
    assert "Private (the owner and instructors)" in html
    assert 'name="visibility"' in html and 'value="public"' not in html  # student: private only
    assert "Only instructors can make a model visible to students or public." in html
    assert "secret survey" in student_client.get("/models/").content.decode()
    html = instructor_client.get(f"/models/{run_model.pk}/").content.decode()
    for value in ("private", "students", "public"):
        assert f'<option value="{value}"' in html


def test_segmentation_models_follow_visibility(student, other_student, instructor):
    from django.contrib.auth.models import AnonymousUser

    from nnweb.segmentation import selectors as seg

    m = services.publish_model(
        student, "my shapes", "instance_segmentation", _seg_graph(), {}, visibility="private"
    )
    ids = lambda user: [c["id"] for c in services.segmentation_models(user)]  # noqa: E731
    assert ids(student) == ids(instructor) == [m.segmentation_id]
    assert ids(other_student) == ids(AnonymousUser()) == ids(None) == []
    listed = lambda user: [c.id for c in seg.list_models(user)]  # noqa: E731
    assert m.segmentation_id in listed(student)
    assert m.segmentation_id not in listed(other_student)
    assert m.segmentation_id not in listed(AnonymousUser())


def test_segmentation_api_refuses_a_private_model(
    student, api_client, other_student_api, student_api
):
    m = services.publish_model(
        student, "my shapes", "instance_segmentation", _seg_graph(), {}, visibility="private"
    )
    for client in (api_client, other_student_api):
        ids = [c["id"] for c in client.get("/api/segmentation/models/").json()["models"]]
        assert m.segmentation_id not in ids
        r = client.post("/api/segmentation/run/", {"seed": 1, "model": m.segmentation_id})
        assert r.status_code == 400 and errors_of(r)[0]["attr"] == "model"
    ids = [c["id"] for c in student_api.get("/api/segmentation/models/").json()["models"]]
    assert m.segmentation_id in ids


def test_a_student_may_only_keep_their_model_private(run_model, student_api, other_student_api):
    url = f"{URL}{run_model.pk}/"
    assert student_api.get(url).json()["visibility_options"] == ["private"]
    for value in ("students", "public"):
        r = student_api.patch(url, {"visibility": value}, format="json")
        assert r.status_code == 403 and "Only instructors" in error_detail(r)
    assert TrainedModel.objects.get(pk=run_model.pk).visibility == "private"
    r = student_api.patch(url, {"visibility": "private"}, format="json")
    assert r.status_code == 200 and r.json()["visibility"] == "private"
    # once an instructor has shared it, the owner may take it back
    run_model.visibility = "students"
    run_model.save()
    assert other_student_api.get(url).status_code == 200
    assert other_student_api.patch(url, {"visibility": "private"}, format="json").status_code == 403
    r = student_api.patch(url, {"visibility": "private"}, format="json")
    assert r.status_code == 200 and r.json()["visibility"] == "private"
    assert other_student_api.get(url).status_code == 404


def test_an_instructor_shares_a_students_model_step_by_step(
    run_model, instructor_api, api_client, other_student_api
):
    url = f"{URL}{run_model.pk}/"
    assert instructor_api.get(url).json()["visibility_options"] == [
        "private",
        "students",
        "public",
    ]
    r = instructor_api.patch(url, {"visibility": "students"}, format="json")
    assert r.status_code == 200 and r.json()["visibility"] == "students"
    # signed-in students see it now (API and playground); anonymous visitors still do not
    assert [m["id"] for m in other_student_api.get(URL).json()] == [run_model.pk]
    assert other_student_api.get(f"{url}download/").status_code == 200
    assert other_student_api.get(url).json()["visibility_options"] == []
    assert _playground(other_student_api, run_model.pk)[0] == 201
    assert api_client.get(url).status_code == 404
    assert _playground(api_client, run_model.pk)[0] == 400
    r = instructor_api.patch(url, {"visibility": "public"}, format="json")
    assert r.status_code == 200
    assert api_client.get(url).status_code == 200
    assert api_client.get(f"{url}download/").status_code == 200
    assert _playground(api_client, run_model.pk)[0] == 201


def test_patch_refuses_bad_bodies(run_model, instructor_api):
    url = f"{URL}{run_model.pk}/"
    r = instructor_api.patch(url, {"visibility": "everyone"}, format="json")
    assert r.status_code == 400 and error_text(r).startswith("visibility:")
    r = instructor_api.patch(url, {"name": "renamed"}, format="json")
    assert r.status_code == 400 and error_text(r).startswith("name:")
    r = instructor_api.patch(url, {}, format="json")
    assert r.status_code == 400 and error_text(r).startswith("visibility:")
    assert TrainedModel.objects.get(pk=run_model.pk).visibility == "private"


def test_instructor_changes_visibility_on_the_page(run_model, instructor_client, anon_client):
    url = f"/models/{run_model.pk}/visibility/"
    r = instructor_client.post(url, {"visibility": "public"})
    assert r.status_code == 302 and r["Location"] == f"/models/{run_model.pk}/"
    assert "is now public" in instructor_client.get(r["Location"]).content.decode()
    assert anon_client.get(f"/models/{run_model.pk}/").status_code == 200
    r = instructor_client.post(url, {"visibility": "nonsense"})
    assert r.status_code == 302
    assert "visibility: must be one of" in instructor_client.get(r["Location"]).content.decode()
    assert TrainedModel.objects.get(pk=run_model.pk).visibility == "public"


def test_student_changes_on_the_page_are_checked(run_model, student_client):
    url = f"/models/{run_model.pk}/visibility/"
    assert student_client.post(url, {"visibility": "public"}).status_code == 403
    assert TrainedModel.objects.get(pk=run_model.pk).visibility == "private"
    r = student_client.post(url, {"visibility": "private"})
    assert r.status_code == 302


def test_helper_rules(student, other_student, instructor):
    mine = services.publish_model(
        student, "mine", "classification", _xor_net(), {}, visibility="private"
    )
    shared = services.publish_model(
        instructor, "shared", "classification", _xor_net(), {}, visibility="students"
    )
    public = services.publish_model(
        instructor, "public", "classification", _xor_net(), {}, visibility="public"
    )
    hidden = services.publish_model(
        instructor, "hidden", "classification", _xor_net(), {}, visibility="private"
    )

    def names(user):
        return sorted(m.name for m in selectors.visible_models(user))

    assert names(None) == ["public"]
    assert names(student) == ["mine", "public", "shared"]
    assert names(other_student) == ["public", "shared"]
    assert names(instructor) == ["hidden", "mine", "public", "shared"]
    with pytest.raises(TrainedModel.DoesNotExist):
        selectors.get_model(mine.pk, other_student)
    assert selectors.get_model(mine.pk, student) == mine
    assert selectors.get_model(hidden.pk, instructor) == hidden
    with pytest.raises(PermissionDenied):
        services.set_visibility(other_student, mine, "private")
    with pytest.raises(PermissionDenied):
        services.set_visibility(student, shared, "private")  # not theirs
    assert services.set_visibility(instructor, mine, "students").visibility == "students"
    assert selectors.allowed_visibilities(None, public) == []
