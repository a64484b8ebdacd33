"""Dataset pages: list, upload form (instructors), preview, owner actions."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from nnweb.datasets.models import Dataset

from .conftest import IRIS_LIKE, upload_file

pytestmark = pytest.mark.django_db


def test_upload_page_is_for_instructors(student_client, anon_client):
    assert student_client.get("/datasets/upload/").status_code == 403
    r = anon_client.get("/datasets/upload/")
    assert r.status_code == 302 and "/login" in r["Location"]


def test_instructor_uploads_through_the_page(instructor_client, student_client):
    r = instructor_client.get("/datasets/upload/")
    assert r.status_code == 200 and b'name="target"' in r.content
    r = instructor_client.post(
        "/datasets/upload/",
        {
            "file": upload_file(IRIS_LIKE.encode(), "iris.csv"),
            "target": "species",
            "task": "classification",
            "visibility": "students",
            "name": "Iris",
        },
    )
    assert r.status_code == 302
    ds = Dataset.objects.get()
    assert r["Location"] == f"/datasets/{ds.pk}/"
    page = student_client.get(f"/datasets/{ds.pk}/").content.decode()
    assert 'id="preview-rows"' in page and "sepal" in page and "a (10)" in page
    assert "Download the original" not in page  # owner only
    assert "Iris" in student_client.get("/datasets/").content.decode()


def test_page_upload_error_is_400_with_the_message(instructor_client):
    r = instructor_client.post(
        "/datasets/upload/",
        {"file": upload_file((IRIS_LIKE + "x,1,a\n").encode(), "iris.csv"), "target": "species"},
    )
    assert r.status_code == 400
    assert "row 31 (line 32)" in r.content.decode() and "&#x27;sepal&#x27;" in r.content.decode()
    assert Dataset.objects.count() == 0


def test_private_dataset_page_hidden_from_students(instructor, student_client, instructor_client):
    instructor_client.post(
        "/datasets/upload/",
        {"file": upload_file(IRIS_LIKE.encode(), "iris.csv"), "target": "species"},
    )
    ds = Dataset.objects.get()
    assert ds.visibility == "private"
    assert student_client.get(f"/datasets/{ds.pk}/").status_code == 404
    assert "iris" not in student_client.get("/datasets/").content.decode()
    assert student_client.post(f"/datasets/{ds.pk}/delete/").status_code == 404
    page = instructor_client.get(f"/datasets/{ds.pk}/").content.decode()
    assert "Download the original (iris.csv)" in page
    r = instructor_client.post(f"/datasets/{ds.pk}/visibility/", {"visibility": "students"})
    assert r.status_code == 302
    assert student_client.get(f"/datasets/{ds.pk}/").status_code == 200
    assert student_client.post(f"/datasets/{ds.pk}/delete/").status_code == 403


def test_image_grid_and_mask_overlay_pages(instructor_client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(2):
            for name, color in (("red", (255, 0, 0)), ("blue", (0, 0, 255))):
                im = io.BytesIO()
                Image.new("RGB", (12, 12), color).save(im, format="PNG")
                zf.writestr(f"{name}/{i}.png", im.getvalue())
    r = instructor_client.post("/datasets/upload/", {"file": upload_file(buf.getvalue(), "c.zip")})
    assert r.status_code == 302
    ds = Dataset.objects.get()
    page = instructor_client.get(f"/datasets/{ds.pk}/").content.decode()
    assert page.count(f"/api/datasets/{ds.pk}/samples/") == 4 and "blue" in page


def test_delete_is_post_only_and_asks_anonymous_visitors_to_sign_in(
    instructor_client, anon_client, django_capture_on_commit_callbacks
):
    instructor_client.post(
        "/datasets/upload/",
        {"file": upload_file(IRIS_LIKE.encode(), "iris.csv"), "target": "species"},
    )
    ds = Dataset.objects.get()
    assert anon_client.get(f"/datasets/{ds.pk}/delete/").status_code == 405
    r = anon_client.post(f"/datasets/{ds.pk}/delete/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    with django_capture_on_commit_callbacks(execute=True):
        r = instructor_client.post(f"/datasets/{ds.pk}/delete/", follow=True)
    assert r.redirect_chain[-1][0] == "/datasets/"
    assert "Dataset “iris” deleted." in r.content.decode()
    assert not Dataset.objects.exists()


def test_page_checks_the_upload_with_the_api_serializer_and_shows_errors_inline(
    instructor_client,
):
    r = instructor_client.post(
        "/datasets/upload/",
        {
            "file": upload_file(IRIS_LIKE.encode(), "iris.csv"),
            "target": "species",
            "image_size": "2",
            "visibility": "everyone",
        },
    )
    page = r.content.decode()
    assert r.status_code == 400 and not Dataset.objects.exists()
    # the API's messages (nnweb.datasets.serializers.UploadSerializer), under their fields
    assert 'id="id_image_size_error">Ensure this value is greater than or equal to 4.<' in page
    assert 'id="id_visibility_error">&quot;everyone&quot; is not a valid choice.<' in page
    assert 'aria-invalid="true" aria-describedby="id_visibility_error"' in page
    r = instructor_client.post("/datasets/upload/", {"target": "species"})
    page = r.content.decode()
    assert r.status_code == 400 and 'id="id_file_error">No file was submitted.<' in page
