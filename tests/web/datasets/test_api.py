"""Datasets REST API: uploads (atomic, 400 naming where), roles, visibility, previews."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nnweb.datasets import selectors, services
from nnweb.datasets.models import Dataset
from tests.web.api_errors import error_detail, error_text
from tests.web.schema_checks import check_response

from .conftest import IRIS_LIKE, client_for, upload_file

pytestmark = pytest.mark.django_db


def post_csv(client, text=IRIS_LIKE, **fields):
    data = {"file": upload_file(text.encode(), "iris.csv"), "target": "species", **fields}
    return client.post("/api/datasets/", data, format="multipart")


def media_files(media) -> list:
    if not media.exists():
        return []
    return [p for p in media.rglob("*") if p.is_file()]


def test_instructor_uploads_csv(instructor, _media):
    r = post_csv(client_for(instructor), name="Iris", visibility="students")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "tabular" and body["n_samples"] == 30
    assert body["class_names"] == ["a", "b", "c"] and body["input_shape"] == [2]
    ds = Dataset.objects.get(pk=body["id"])
    X, y, meta = services.load_arrays(ds)
    assert X.shape == (30, 2) and y.tolist()[:3] == [0, 1, 2]
    assert meta["feature_names"] == ["sepal", "petal"]
    # nothing left in the incoming folder
    assert not list((_media / "datasets" / ".incoming").iterdir())


def test_bad_csv_is_400_naming_row_and_column_and_leaves_nothing(instructor, _media):
    bad = IRIS_LIKE + "1.0,oops,a\n"
    r = post_csv(client_for(instructor), text=bad)
    assert r.status_code == 400
    assert "row 31 (line 32)" in error_detail(r) and "'petal'" in error_detail(r)
    assert Dataset.objects.count() == 0
    assert media_files(_media) == []


def test_failure_while_recording_leaves_nothing(instructor, _media, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Dataset.objects, "create", boom)
    with pytest.raises(RuntimeError):
        services.import_dataset(
            instructor, upload_file(IRIS_LIKE.encode(), "x.csv"), target="species"
        )
    assert media_files(_media) == []


def test_size_limit_from_settings(instructor, settings):
    base = dict(settings.NNWEB_LIMITS)
    settings.NNWEB_LIMITS = {**base, "DATASET_CSV_MAX_BYTES": 100}
    r = post_csv(client_for(instructor))
    assert r.status_code == 400 and "limit" in error_detail(r)
    settings.NNWEB_LIMITS = {**base, "MAX_DATASET_ROWS": 10}
    r = post_csv(client_for(instructor))
    assert r.status_code == 400 and "more than 10 data rows" in error_detail(r)


def test_unknown_format_and_missing_target(instructor):
    c = client_for(instructor)
    r = c.post("/api/datasets/", {"file": upload_file(b"x", "data.txt")}, format="multipart")
    assert r.status_code == 400 and "cannot tell the format" in error_detail(r)
    r = post_csv(c, target="")
    assert r.status_code == 400 and "target" in error_detail(r)


def test_student_cannot_upload(student):
    r = post_csv(client_for(student))
    assert r.status_code == 403
    assert post_csv(client_for(None)).status_code == 403
    assert Dataset.objects.count() == 0


def test_visibility_rules(instructor, other_instructor, student):
    ids = {}
    for vis in ("private", "students", "public"):
        r = post_csv(client_for(instructor), name=vis, visibility=vis)
        ids[vis] = r.json()["id"]

    def names(user):
        return sorted(d["name"] for d in client_for(user).get("/api/datasets/").json())

    assert names(instructor) == ["private", "public", "students"]
    assert names(student) == ["public", "students"]
    assert names(other_instructor) == ["public", "students"]
    assert names(None) == ["public"]
    assert client_for(student).get(f"/api/datasets/{ids['private']}/").status_code == 404
    assert client_for(student).get(f"/api/datasets/{ids['private']}/preview/").status_code == 404
    assert client_for(None).get(f"/api/datasets/{ids['students']}/").status_code == 404
    assert client_for(student).get(f"/api/datasets/{ids['students']}/").status_code == 200
    assert [d.name for d in selectors.visible_datasets(student)] == ["public", "students"] or set(
        d.name for d in selectors.visible_datasets(student)
    ) == {"public", "students"}

    # only the owner changes visibility, downloads and deletes
    url = f"/api/datasets/{ids['students']}/"
    assert (
        client_for(student).patch(url, {"visibility": "public"}, format="json").status_code == 403
    )
    assert client_for(student).get(url + "download/").status_code == 403
    assert client_for(student).delete(url).status_code == 403
    r = client_for(instructor).patch(url, {"visibility": "private"}, format="json")
    assert r.status_code == 200 and r.json()["visibility"] == "private"
    assert client_for(student).get(url).status_code == 404


def test_download_original_and_delete(instructor, _media, django_capture_on_commit_callbacks):
    c = client_for(instructor)
    ds_id = post_csv(c).json()["id"]
    r = c.get(f"/api/datasets/{ds_id}/download/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content).decode() == IRIS_LIKE
    assert "iris.csv" in r["Content-Disposition"]
    assert r["X-Content-Type-Options"] == "nosniff"
    with django_capture_on_commit_callbacks(execute=True):
        assert c.delete(f"/api/datasets/{ds_id}/").status_code == 204
    assert Dataset.objects.count() == 0
    assert [p for p in media_files(_media) if ".incoming" not in str(p)] == []


PREVIEW = "/api/datasets/{id}/preview/"


def test_preview_tabular(instructor, api_schema):
    c = client_for(instructor)
    ds_id = post_csv(c).json()["id"]
    body = c.get(f"/api/datasets/{ds_id}/preview/").json()
    check_response(api_schema, "get", PREVIEW, 200, body)  # as documented, for each kind
    assert body["columns"] == ["sepal", "petal", "species"]
    assert body["rows"][0] == ["1.0", "0.2", "a"] and len(body["rows"]) == 20
    stats = {col["name"]: col for col in body["stats"]["columns"]}
    assert stats["sepal"]["min"] == 1.0 and stats["species"]["classes"] == {
        "a": 10,
        "b": 10,
        "c": 10,
    }


def png(color, size=(10, 10)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def test_image_zip_upload_preview_and_samples(instructor, api_schema):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(3):
            zf.writestr(f"red/{i}.png", png((200 + i, 0, 0)))
            zf.writestr(f"green/{i}.png", png((0, 200 + i, 0)))
    c = client_for(instructor)
    r = c.post(
        "/api/datasets/",
        {"file": upload_file(buf.getvalue(), "colours.zip"), "image_size": 8},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    ds_id = r.json()["id"]
    assert r.json()["input_shape"] == [3, 8, 8]
    body = c.get(f"/api/datasets/{ds_id}/preview/").json()
    check_response(api_schema, "get", PREVIEW, 200, body)
    assert [g["class"] for g in body["classes"]] == ["green", "red"]
    assert body["classes"][0]["count"] == 3
    r = c.get(f"/api/datasets/{ds_id}/samples/0.png")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    im = Image.open(io.BytesIO(r.content))
    assert im.size == (64, 64)
    assert c.get(f"/api/datasets/{ds_id}/samples/99.png").status_code == 404


def test_bad_zip_is_400_naming_the_entry(instructor, _media):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("red/1.png", png((255, 0, 0)))
        zf.writestr(zipfile.ZipInfo("../../escape.png"), png((0, 0, 0)))
    r = client_for(instructor).post(
        "/api/datasets/", {"file": upload_file(buf.getvalue(), "x.zip")}, format="multipart"
    )
    assert r.status_code == 400 and "'../../escape.png'" in error_detail(r)
    assert media_files(_media) == []


def test_npz_upload(instructor):
    buf = io.BytesIO()
    np.savez(buf, x=np.random.default_rng(0).random((12, 6, 6)), y=np.arange(12) % 2)
    r = client_for(instructor).post(
        "/api/datasets/", {"file": upload_file(buf.getvalue(), "d.npz")}, format="multipart"
    )
    assert r.status_code == 201 and r.json()["input_shape"] == [1, 6, 6]


def test_coco_upload_preview_and_mask_overlay(instructor, api_schema):
    from .test_importers import coco_files

    ann, images = coco_files()
    c = client_for(instructor)
    r = c.post(
        "/api/datasets/",
        {
            "file": upload_file(images.getvalue(), "images.zip"),
            "annotations": upload_file(ann.getvalue(), "annotations.json"),
            "image_size": 32,
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    ds_id = r.json()["id"]
    assert r.json()["kind"] == "instance_segmentation"
    body = c.get(f"/api/datasets/{ds_id}/preview/").json()
    check_response(api_schema, "get", PREVIEW, 200, body)
    assert [im["instances"] for im in body["images"]] == [["square"], ["disc"]]
    plain = Image.open(io.BytesIO(c.get(f"/api/datasets/{ds_id}/samples/0.png").content))
    over = Image.open(io.BytesIO(c.get(f"/api/datasets/{ds_id}/samples/0.png?overlay=1").content))
    assert plain.size == over.size and np.asarray(plain).tolist() != np.asarray(over).tolist()
    X, y, meta = services.load_arrays(Dataset.objects.get(pk=ds_id))
    assert y is None and meta["instances"]["masks"].shape == (2, 32, 32)
    r = c.get(f"/api/datasets/{ds_id}/download/?part=annotations")
    assert json.loads(b"".join(r.streaming_content))["categories"][0]["name"] == "square"


def test_oversized_request_refused_before_reading(instructor, settings, instructor_client):
    settings.NNWEB_LIMITS = {
        **settings.NNWEB_LIMITS,
        "DATASET_ARCHIVE_MAX_BYTES": 1000,
        "DATASET_CSV_MAX_BYTES": 1000,
        "DATASET_JSON_MAX_BYTES": 1000,
    }
    big = upload_file(b"a,b\n" + b"1,2\n" * 600_000, "big.csv")
    r = client_for(instructor).post(
        "/api/datasets/", {"file": big, "target": "b"}, format="multipart"
    )
    assert r.status_code == 413 and "the upload is" in error_detail(r)
    big.seek(0)
    r = instructor_client.post("/datasets/upload/", {"file": big, "target": "b"})
    assert r.status_code == 400 and b"the upload is" in r.content
    assert Dataset.objects.count() == 0


def test_download_of_a_lost_file_is_404(instructor, _media):
    c = client_for(instructor)
    ds_id = post_csv(c).json()["id"]
    Path(Dataset.objects.get(pk=ds_id).original.path).unlink()
    r = c.get(f"/api/datasets/{ds_id}/download/")
    assert r.status_code == 404
    assert "missing" in error_detail(r)


def test_owner_renames_describes_and_shares_in_one_request(instructor):
    c = client_for(instructor)
    ds_id = post_csv(c).json()["id"]
    change = {"name": "Iris (cleaned)", "description": "rows 3-5 fixed", "visibility": "public"}
    r = c.patch(f"/api/datasets/{ds_id}/", change, format="json")
    assert r.status_code == 200
    assert {k: r.json()[k] for k in change} == change
    ds = Dataset.objects.get(pk=ds_id)
    assert (ds.name, ds.description, ds.visibility) == tuple(change.values())
    r = c.patch(f"/api/datasets/{ds_id}/", {"visibility": "everyone"}, format="json")
    assert r.status_code == 400 and error_text(r).startswith("visibility:")
    assert Dataset.objects.get(pk=ds_id).visibility == "public"
