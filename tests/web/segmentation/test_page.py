"""The /segmentation/ page: server-rendered controls, and the no-JavaScript form path."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _no_vite_build(monkeypatch):
    """Page tests do not need the front-end build: script tags are left out."""
    from frontend.templatetags import vite

    monkeypatch.setattr(vite, "entry_tags", lambda entry: "")


@pytest.mark.django_db
def test_page_lists_models_samples_and_limits(client, fake_model):
    r = client.get("/segmentation/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="segmentation-app"' in html
    assert '<option value="shipped" selected>' in html
    assert html.count('class="seg-sample"') == 6
    assert "/api/segmentation/samples/0.png" in html
    assert "at most 5 MB and 4096 × 4096 pixels" in html
    assert 'id="seg-threshold"' in html and 'id="seg-provider"' in html


@pytest.mark.django_db
def test_no_js_form_segments_a_sample(client, fake_model):
    r = client.post("/segmentation/", {"sample": "0", "model": "shipped"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'src="data:image/png;base64,' in html
    assert "<td>circle</td>" in html and "<td>0.900</td>" in html
    assert "CPU" in html or "CUDA" in html


@pytest.mark.django_db
def test_no_js_form_reports_bad_uploads(client, fake_model):
    f = io.BytesIO(b"GIF89a" + b"\0" * 50)
    f.name = "cat.gif"
    r = client.post("/segmentation/", {"image": f, "upload": "1"})
    assert r.status_code == 400
    assert "only PNG and JPEG images are accepted" in r.content.decode()


@pytest.mark.django_db
def test_no_js_upload_of_a_large_image(client, fake_model):
    arr = np.full((300, 600, 3), 220, np.uint8)
    arr[50:250, 100:400] = 10
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    buf.seek(0)
    buf.name = "wide.png"
    r = client.post("/segmentation/", {"image": buf, "upload": "1"})
    assert r.status_code == 200
    assert "1 of 1" in r.content.decode()
