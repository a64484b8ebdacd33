"""POST /api/segmentation/run and friends, on a stand-in ONNX model (see conftest.py)."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from nnweb.segmentation import masks, selectors, services
from tests.web.api_errors import error_detail, errors_of
from tests.web.schema_checks import check_response

RUN = "/api/segmentation/run/"


def png_bytes(arr: np.ndarray, mode: str | None = None) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr, mode=mode).save(buf, format="PNG")
    return buf.getvalue()


def jpeg_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="JPEG", quality=95)
    return buf.getvalue()


def dark_square_image(h=128, w=128, box=(40, 30, 90, 70)) -> np.ndarray:
    img = np.full((h, w, 3), 230, dtype=np.uint8)
    x1, y1, x2, y2 = box
    img[y1:y2, x1:x2] = 20
    return img


def upload(client, data: bytes, name="img.png", **extra):
    f = io.BytesIO(data)
    f.name = name
    return client.post(RUN, {"image": f, **extra}, format="multipart")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR declares width x height, with a tiny (truncated) IDAT."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        services.PNG_MAGIC
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.django_db
def test_run_upload_returns_boxes_labels_scores_masks_provider_latency(
    api_client, fake_model, api_schema
):
    img = dark_square_image()
    r = upload(api_client, png_bytes(img))
    assert r.status_code == 200, r.content
    body = r.json()
    check_response(api_schema, "post", RUN, 200, body)  # as documented (the page's type)
    assert body["count"] == 1
    assert body["boxes"] == [[32.0, 32.0, 96.0, 96.0]]
    assert body["labels"] == [2] and body["names"] == ["circle"]
    assert body["scores"] == [0.9]
    assert body["classes"] == ["background", "square", "circle", "triangle"]
    assert body["provider"] in ("CPUExecutionProvider", "CUDAExecutionProvider")
    assert body["device"] in ("CPU", "CUDA")
    assert body["latency_ms"] >= 0 and body["total_ms"] >= body["latency_ms"]
    assert body["model"]["id"] == "shipped" and body["model"]["default"] is True
    assert body["image"] == {"width": 128, "height": 128}
    assert body["mask_size"] == [128, 128]
    mask = masks.decode_mask(body["masks"][0])
    np.testing.assert_array_equal(mask, img.mean(axis=2) < 127.5)


@pytest.mark.django_db
def test_non_square_jpeg_is_letterboxed_and_results_scaled_back(api_client, fake_model):
    img = dark_square_image(h=200, w=400, box=(100, 40, 300, 160))
    r = upload(api_client, jpeg_bytes(img), name="photo.jpg")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["image"] == {"width": 400, "height": 200}
    # the model saw the image scaled by 128/400 = 0.32: its box (32, 32, 96, 96) is
    # (100, 100, 300, 300) here, clipped to the image's 200 rows
    assert body["boxes"] == [[100.0, 100.0, 300.0, 200.0]]
    assert body["mask_size"] == [200, 400]
    mask = masks.decode_mask(body["masks"][0])
    truth = img.mean(axis=2) < 127.5
    assert (mask == truth).mean() > 0.98
    # the padding below the image (rows 100-127 of the input) never reaches the mask
    assert mask.shape == (200, 400)


def test_large_images_get_masks_at_most_512():
    assert services.mask_size_for(4096, 2048) == (512, 256)
    assert services.mask_size_for(100, 60) == (100, 60)


@pytest.mark.django_db
def test_canvas_data_url_with_transparency(api_client, fake_model):
    rgba = np.zeros((128, 128, 4), dtype=np.uint8)  # transparent: composited over white
    rgba[10:50, 20:60] = [0, 0, 0, 255]
    url = "data:image/png;base64," + base64.b64encode(png_bytes(rgba, "RGBA")).decode()
    r = api_client.post(RUN, {"image_base64": url}, format="json")
    assert r.status_code == 200, r.content
    mask = masks.decode_mask(r.json()["masks"][0])
    assert mask.sum() == 40 * 40 and mask[10:50, 20:60].all()


@pytest.mark.django_db
def test_sample_and_seed_inputs(api_client, fake_model, api_schema):
    for body in ({"sample": 0}, {"seed": 123}):
        r = api_client.post(RUN, body, format="json")
        assert r.status_code == 200
        check_response(api_schema, "post", RUN, 200, r.json())


@pytest.mark.django_db
def test_empty_result_is_fine(api_client, empty_model):
    r = upload(api_client, png_bytes(dark_square_image()))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 0
    assert body["boxes"] == body["labels"] == body["scores"] == body["masks"] == []


@pytest.mark.django_db
def test_score_threshold_filters(api_client, fake_model):
    r = upload(api_client, png_bytes(dark_square_image()), score_threshold="0.95")
    assert r.status_code == 200 and r.json()["count"] == 0


def _rejected(response, *words, field="image"):
    assert response.status_code == 400, response.content
    (error,) = errors_of(response)
    for w in words:
        assert w in error["detail"], error
    assert error["attr"] == field
    return error["detail"]


@pytest.mark.django_db
def test_upload_validation_paths(api_client, fake_model):
    # not PNG/JPEG by magic bytes, whatever the name says
    gif = b"GIF89a" + b"\0" * 100
    _rejected(upload(api_client, gif, name="fake.png"), "only PNG and JPEG")
    buf = io.BytesIO()
    Image.fromarray(dark_square_image()).save(buf, format="BMP")
    _rejected(upload(api_client, buf.getvalue(), name="x.bmp"), "only PNG and JPEG")
    # empty
    _rejected(upload(api_client, b""), "empty")
    # more than 5 MB
    big = services.PNG_MAGIC + b"\0" * (5 * 1024 * 1024)
    _rejected(upload(api_client, big), "5.0 MB", "at most")
    # more than 4096 pixels on a side
    _rejected(upload(api_client, png_header_only(4097, 16)), "4097 x 16", "4096 x 4096")
    # decompression bomb: a tiny file declaring 20000 x 20000 pixels
    _rejected(upload(api_client, png_header_only(20000, 20000)), "decompression bomb")
    # truncated / corrupt data behind a PNG signature
    _rejected(upload(api_client, png_header_only(64, 64)), "could not be decoded")
    good = png_bytes(dark_square_image())
    _rejected(upload(api_client, good[: len(good) // 2]), "could not be decoded")


@pytest.mark.django_db
def test_pillow_bomb_warning_is_refused_too(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # warns above 1000, errors above 2000
    with pytest.raises(services.ImageRejected, match="decompression bomb"):
        services.decode_image(png_bytes(dark_square_image(40, 40)))


@pytest.mark.django_db
def test_other_bad_requests(api_client, fake_model):
    _rejected(api_client.post(RUN, {}, format="json"), "No image")
    _rejected(
        api_client.post(RUN, {"image_base64": "data:image/png;base64,@@@"}, format="json"),
        "not valid base64",
        field="image_base64",
    )
    _rejected(api_client.post(RUN, {"sample": 99}, format="json"), "between", field="sample")
    _rejected(api_client.post(RUN, {"seed": "x"}, format="json"), "whole number", field="seed")
    r = upload(api_client, png_bytes(dark_square_image()), score_threshold="2")
    _rejected(r, "between 0 and 1", field="score_threshold")
    r = upload(api_client, png_bytes(dark_square_image()), model="nope")
    _rejected(r, "'nope'", field="model")


@pytest.mark.django_db
def test_no_model_available_is_503(api_client, settings, tmp_path):
    settings.SEGMENTATION_DEFAULT_MODEL = str(tmp_path / "missing.onnx")
    r = upload(api_client, png_bytes(dark_square_image()))
    assert r.status_code == 503
    assert "No instance-segmentation model" in error_detail(r)


@pytest.mark.django_db
def test_models_samples_and_generate(api_client, fake_model):
    models = api_client.get("/api/segmentation/models/").json()["models"]
    assert models[0]["id"] == "shipped" and models[0]["default"] is True

    samples = api_client.get("/api/segmentation/samples/").json()["samples"]
    assert len(samples) == len(services.SAMPLE_SEEDS)
    r = api_client.get("/api/segmentation/samples/0.png")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).size == (128, 128)
    assert api_client.get("/api/segmentation/samples/99.png").status_code == 404

    a = api_client.post("/api/segmentation/generate/", {"seed": 5}, format="json").json()
    b = api_client.post("/api/segmentation/generate/", {"seed": 5}, format="json").json()
    assert a == b and a["seed"] == 5 and a["image"].startswith("data:image/png;base64,")
    assert 1 <= len(a["truth"]) <= 4
    assert a["truth"][0]["name"] in ("square", "circle", "triangle")
    c = api_client.post("/api/segmentation/generate/", {}, format="json").json()
    assert isinstance(c["seed"], int)
    bad = api_client.post("/api/segmentation/generate/", {"seed": -1}, format="json")
    assert bad.status_code == 400


def test_mask_run_length_round_trip():
    rng = np.random.default_rng(0)
    for shape in [(1, 1), (3, 5), (17, 9)]:
        m = rng.random(shape) > 0.5
        assert np.array_equal(masks.decode_mask(masks.encode_mask(m)), m)
    assert masks.encode_mask(np.ones((2, 2), bool))["counts"] == [0, 4]


@pytest.mark.django_db
def test_shipped_model_finds_the_shapes_of_a_generated_image(api_client):
    path = selectors.shipped_model_path()
    if not path.is_file():
        pytest.skip(f"the shipped model {path} is not in the repository yet")
    from engine.detection.shapes import IMAGE_SIZE

    r = api_client.post(RUN, {"seed": 7}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["model"]["id"] == "shipped"
    assert body["classes"] == ["background", "square", "circle", "triangle"]
    png, truth = services.generate_shapes(7)
    assert body["count"] >= 1 and body["scores"][0] >= 0.5
    # the most confident detection is one of the true shapes: same class, box IoU >= 0.5
    best = np.array(body["boxes"][0])

    def iou(a, b):
        w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        inter = w * h
        area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
        return inter / area

    assert any(t["name"] == body["names"][0] and iou(best, t["box"]) >= 0.5 for t in truth)
    assert body["mask_size"] == [IMAGE_SIZE, IMAGE_SIZE]
    assert masks.decode_mask(body["masks"][0]).sum() >= 40
