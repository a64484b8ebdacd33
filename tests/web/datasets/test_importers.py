"""Every validation path of the dataset importers, each with a crafted bad file."""

from __future__ import annotations

import io
import json
import struct
import zipfile

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils

from nnweb.datasets.importers import DatasetRejected
from nnweb.datasets.importers.coco import decode_rle_string, import_coco
from nnweb.datasets.importers.csv import import_csv
from nnweb.datasets.importers.image_zip import import_image_zip
from nnweb.datasets.importers.npz import import_npz
from nnweb.datasets.limits import Limits


def csv_bytes(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode())


def rejected(fn, *args, **kwargs) -> str:
    with pytest.raises(DatasetRejected) as info:
        fn(*args, **kwargs)
    return str(info.value)


GOOD_CSV = "a,b,label\n1,2,x\n3,4,y\n5,6,x\n"


# ---------------------------------------------------------------- CSV
def test_csv_good_classification():
    r = import_csv(csv_bytes(GOOD_CSV), target="label", task="classification")
    assert r.kind == "tabular" and r.X.shape == (3, 2) and r.X.dtype == np.float64
    assert r.meta["class_names"] == ["x", "y"] and r.y.tolist() == [0, 1, 0]
    assert r.meta["feature_names"] == ["a", "b"]
    assert r.stats["columns"][0] == {
        "name": "a",
        "role": "feature",
        "min": 1.0,
        "max": 5.0,
        "mean": 3.0,
        "std": pytest.approx(np.std([1, 3, 5])),
    }
    assert r.stats["columns"][2]["classes"] == {"x": 2, "y": 1}


def test_csv_good_regression_and_numeric_class_order():
    r = import_csv(csv_bytes("a,t\n1,10\n2,2\n3,1.5\n"), target="t", task="regression")
    assert r.y.dtype == np.float64 and r.y.tolist() == [10, 2, 1.5]
    r = import_csv(csv_bytes("a,t\n1,10\n2,2\n3,1\n"), target="t", task="classification")
    assert r.meta["class_names"] == ["1", "2", "10"]


def test_csv_size_limit():
    msg = rejected(import_csv, csv_bytes(GOOD_CSV), target="label", limits=Limits(csv_max_bytes=10))
    assert "limit" in msg


def test_csv_row_and_column_limits():
    assert "3 data rows" not in rejected(
        import_csv, csv_bytes(GOOD_CSV), target="label", limits=Limits(max_rows=2)
    )
    assert "more than 2 data rows" in rejected(
        import_csv, csv_bytes(GOOD_CSV), target="label", limits=Limits(max_rows=2)
    )
    assert "3 columns; the limit is 2" in rejected(
        import_csv, csv_bytes(GOOD_CSV), target="label", limits=Limits(max_columns=2)
    )


def test_csv_non_numeric_feature_names_row_and_column():
    msg = rejected(import_csv, csv_bytes("a,b,label\n1,2,x\n3,oops,y\n"), target="label")
    assert "row 2 (line 3)" in msg and "'b'" in msg and "'oops'" in msg


@pytest.mark.parametrize("bad", ["nan", "inf", "-Infinity", "NaN"])
def test_csv_nan_inf(bad):
    msg = rejected(import_csv, csv_bytes(f"a,b,label\n1,2,x\n3,{bad},y\n"), target="label")
    assert "row 2 (line 3)" in msg and "'b'" in msg and "NaN or infinity" in msg


def test_csv_missing_target_value_and_column():
    msg = rejected(import_csv, csv_bytes("a,label\n1,x\n2,\n3,y\n"), target="label")
    assert "row 2 (line 3)" in msg and "target column 'label' is missing" in msg
    msg = rejected(import_csv, csv_bytes(GOOD_CSV), target="species")
    assert "'species' is not in the header" in msg
    assert "choose the target" in rejected(import_csv, csv_bytes(GOOD_CSV), target="")


def test_csv_empty_feature_cell_and_ragged_row():
    assert "column 'a' is empty" in rejected(
        import_csv, csv_bytes("a,b,label\n1,2,x\n,4,y\n"), target="label"
    )
    msg = rejected(import_csv, csv_bytes("a,b,label\n1,2,x\n3,4\n"), target="label")
    assert "row 2 (line 3)" in msg and "2 values" in msg


def test_csv_header_problems():
    assert "appears twice" in rejected(import_csv, csv_bytes("a,a,t\n1,2,3\n"), target="t")
    assert "no name" in rejected(import_csv, csv_bytes("a,,t\n1,2,3\n"), target="t")
    assert "empty" in rejected(import_csv, csv_bytes(""), target="t")
    assert "not valid UTF-8" in rejected(import_csv, io.BytesIO(b"a,t\n1,\xff\n"), target="t")


def test_csv_regression_target_not_numeric_and_single_class():
    assert "not a number" in rejected(
        import_csv, csv_bytes("a,t\n1,2\n2,x\n"), target="t", task="regression"
    )
    assert "single class" in rejected(import_csv, csv_bytes("a,t\n1,x\n2,x\n"), target="t")


# ---------------------------------------------------------------- zips
def png_bytes(size=(8, 8), color=(255, 0, 0), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, format="PNG")
    return buf.getvalue()


def make_zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    buf.seek(0)
    return buf


def test_image_zip_good_and_wrapping_folder():
    z = make_zip(
        {
            "shapes/red/1.png": png_bytes(color=(255, 0, 0)),
            "shapes/red/2.png": png_bytes(color=(250, 0, 0)),
            "shapes/blue/1.png": png_bytes((12, 10), color=(0, 0, 255)),
            "__MACOSX/shapes/._x": b"junk",
        }
    )
    r = import_image_zip(z, image_size=16)
    assert r.X.shape == (3, 3, 16, 16) and r.X.dtype == np.float32
    assert r.meta["class_names"] == ["blue", "red"]
    assert sorted(r.y.tolist()) == [0, 1, 1]
    assert r.stats["classes"] == {"blue": 1, "red": 2}
    assert 0.0 <= r.X.min() and r.X.max() <= 1.0


def test_image_zip_grayscale_auto():
    z = make_zip(
        {"a/1.png": png_bytes(mode="L", color=10), "b/1.png": png_bytes(mode="L", color=200)}
    )
    r = import_image_zip(z, image_size=8)
    assert r.X.shape == (2, 1, 8, 8)


def test_image_zip_file_outside_class_folder():
    z = make_zip({"a/1.png": png_bytes(), "loose.png": png_bytes()})
    assert "'loose.png'" in rejected(import_image_zip, z)


def test_image_zip_unreadable_image():
    z = make_zip({"a/1.png": png_bytes(), "b/broken.png": b"\x89PNG not really"})
    msg = rejected(import_image_zip, z)
    assert "'b/broken.png'" in msg and "not a readable image" in msg


def test_image_zip_oversized_image_decompression_bomb_guard():
    z = make_zip({"a/1.png": png_bytes(), "b/huge.png": png_bytes((100, 100))})
    msg = rejected(import_image_zip, z, limits=Limits(max_image_pixels=50 * 50))
    assert "'b/huge.png'" in msg and "10000 pixels" in msg


def test_image_zip_image_count_limit():
    z = make_zip({f"{c}/{i}.png": png_bytes() for c in "ab" for i in range(3)})
    assert "6 images; the limit is 5" in rejected(import_image_zip, z, limits=Limits(max_images=5))


def test_archive_size_limit():
    z = make_zip({"a/1.png": png_bytes(), "b/1.png": png_bytes()})
    assert "limit for archives" in rejected(
        import_image_zip, z, limits=Limits(archive_max_bytes=100)
    )


def raw_zip_with_name(name: str, data: bytes = b"x", symlink: bool = False) -> io.BytesIO:
    """A zip whose entry name is written as given (zipfile would not sanitise on write)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo(name)
        if symlink:
            info.external_attr = 0o120777 << 16
        zf.writestr(info, data)
        zf.writestr("a/ok.png", png_bytes())
    buf.seek(0)
    return buf


@pytest.mark.parametrize(
    "name, words",
    [
        ("../evil.png", "escapes its folder"),
        ("a/../../evil.png", "escapes its folder"),
        ("/etc/passwd", "absolute path"),
        ("C:/windows/evil.png", "absolute path"),
        ("a\\..\\evil.png", "'\\'"),
    ],
)
def test_zip_entries_escaping_their_folder(name, words):
    msg = rejected(import_image_zip, raw_zip_with_name(name))
    assert words in msg and "archive entry" in msg


def test_zip_symlink_refused():
    msg = rejected(import_image_zip, raw_zip_with_name("b/link.png", b"/etc/passwd", symlink=True))
    assert "symbolic link" in msg and "'b/link.png'" in msg


def test_zip_bomb_ratio():
    z = make_zip({"a/1.png": png_bytes(), "b/zeros.png": b"\0" * (4 * 1024 * 1024)})
    msg = rejected(import_image_zip, z)
    assert "zip bomb" in msg and "'b/zeros.png'" in msg


def test_zip_bomb_many_small_entries():
    entries = {f"b/z{i}.png": b"\0" * (900 * 1024) for i in range(20)}
    z = make_zip({"a/1.png": png_bytes(), **entries})
    msg = rejected(import_image_zip, z)
    assert "would unpack to" in msg and "zip bombs are refused" in msg


def test_zip_uncompressed_total_limit():
    z = make_zip({"a/1.png": png_bytes(), "b/1.png": png_bytes()})
    assert "unpack to more than" in rejected(
        import_image_zip, z, limits=Limits(max_uncompressed_bytes=100)
    )


def lying_zip(declared: int) -> io.BytesIO:
    """A zip whose entry b/big.png declares ``declared`` bytes but holds more."""
    payload = bytes(range(256)) * 64  # 16 KiB, compresses poorly enough
    buf = make_zip({"a/1.png": png_bytes(), "b/big.png": payload}, zipfile.ZIP_STORED)
    data = bytearray(buf.getvalue())
    name = b"b/big.png"
    # local header: signature PK\x03\x04, uncompressed size at offset 22
    loc = data.find(b"PK\x03\x04" + data[4:4])
    while loc != -1:
        if data[loc + 30 : loc + 30 + len(name)] == name:
            struct.pack_into("<I", data, loc + 22, declared)
        loc = data.find(b"PK\x03\x04", loc + 4)
    cen = data.find(b"PK\x01\x02")
    while cen != -1:
        if data[cen + 46 : cen + 46 + len(name)] == name:
            struct.pack_into("<I", data, cen + 24, declared)
        cen = data.find(b"PK\x01\x02", cen + 4)
    return io.BytesIO(bytes(data))


def test_zip_entry_larger_than_declared():
    msg = rejected(import_image_zip, lying_zip(100))
    assert "'b/big.png'" in msg and ("declares" in msg or "zip bomb" in msg)


def test_not_a_zip():
    assert "not a readable zip" in rejected(import_image_zip, io.BytesIO(b"hello"))


# ---------------------------------------------------------------- npz
def npz_bytes(**arrays) -> io.BytesIO:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    buf.seek(0)
    return buf


def test_npz_images_and_tabular():
    x = np.random.default_rng(0).integers(0, 256, (10, 8, 8), dtype=np.uint8)
    y = np.arange(10) % 3
    r = import_npz(npz_bytes(x=x, y=y))
    assert r.kind == "image_classification" and r.X.shape == (10, 1, 8, 8)
    assert r.X.max() <= 1.0 and r.meta["class_names"] == ["0", "1", "2"]
    r = import_npz(npz_bytes(x=np.zeros((5, 8, 8, 3)), y=np.arange(5) % 2))
    assert r.X.shape == (5, 3, 8, 8)
    r = import_npz(npz_bytes(x=np.ones((6, 3)), y=np.linspace(0, 1, 6)), task="regression")
    assert r.kind == "tabular" and r.y.dtype == np.float64 and "preview" in r.meta


def test_npz_nan_names_index():
    x = np.zeros((4, 2))
    x[2, 1] = np.nan
    assert "x[2, 1] is nan" in rejected(import_npz, npz_bytes(x=x, y=np.arange(4) % 2))
    y = np.array([0, 1, np.inf, 1.0])
    assert "y[2] is inf" in rejected(
        import_npz, npz_bytes(x=np.zeros((4, 2)), y=y), task="regression"
    )


def test_npz_missing_key_shape_mismatch_and_pickles():
    assert "no array 'y'" in rejected(import_npz, npz_bytes(x=np.zeros((4, 2))))
    assert "one value per row" in rejected(import_npz, npz_bytes(x=np.zeros((4, 2)), y=np.zeros(3)))
    msg = rejected(import_npz, npz_bytes(x=np.array([{"a": 1}] * 4, dtype=object), y=np.zeros(4)))
    assert "'x'" in msg
    assert "whole number" in rejected(
        import_npz, npz_bytes(x=np.zeros((4, 2)), y=np.array([0, 1, 0.5, 1]))
    )


def test_npz_limits():
    assert "the limit is 3" in rejected(
        import_npz,
        npz_bytes(x=np.zeros((4, 8, 8)), y=np.arange(4) % 2),
        limits=Limits(max_images=3),
    )
    assert "a side" in rejected(
        import_npz,
        npz_bytes(x=np.zeros((4, 20, 20)), y=np.arange(4) % 2),
        limits=Limits(max_image_side=16),
    )


# ---------------------------------------------------------------- COCO
def coco_files(mutate=None, size=(40, 30)):
    w, h = size
    doc = {
        "images": [
            {"id": 1, "file_name": "img1.png", "width": w, "height": h},
            {"id": 2, "file_name": "sub/img2.png", "width": w, "height": h},
        ],
        "categories": [{"id": 7, "name": "square"}, {"id": 9, "name": "disc"}],
        "annotations": [
            {
                "id": 100,
                "image_id": 1,
                "category_id": 7,
                "segmentation": [[5, 5, 20, 5, 20, 20, 5, 20]],
                "iscrowd": 0,
            },
            {"id": 101, "image_id": 2, "category_id": 9, "iscrowd": 1, "segmentation": None},
        ],
    }
    m = np.zeros((h, w), dtype=np.uint8, order="F")
    m[10:20, 10:30] = 1
    rle = mask_utils.encode(np.asfortranarray(m))
    doc["annotations"][1]["segmentation"] = {"size": [h, w], "counts": rle["counts"].decode()}
    if mutate:
        mutate(doc)
    images = make_zip({"img1.png": png_bytes(size), "sub/img2.png": png_bytes(size)})
    return io.BytesIO(json.dumps(doc).encode()), images


def test_coco_good():
    r = import_coco(*coco_files(), image_size=20)
    assert r.kind == "instance_segmentation" and r.X.shape == (2, 3, 20, 20)
    assert r.extra["masks"].shape == (2, 20, 20) and r.extra["labels"].tolist() == [0, 1]
    assert r.extra["image_index"].tolist() == [0, 1]
    assert r.extra["boxes"][0].tolist() == pytest.approx([2.5, 5 / 1.5, 10, 20 / 1.5], abs=0.01)
    assert r.meta["class_names"] == ["square", "disc"]


def test_coco_rle_string_decoder_matches_pycocotools():
    rng = np.random.default_rng(1)
    m = np.asfortranarray((rng.random((17, 23)) > 0.6).astype(np.uint8))
    counts = mask_utils.encode(m)["counts"].decode()
    runs = decode_rle_string(counts)
    assert sum(runs) == 17 * 23
    flat = np.concatenate([np.full(c, k % 2, np.uint8) for k, c in enumerate(runs)])
    assert np.array_equal(flat.reshape(23, 17).T, m)


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda d: d["annotations"][0].update(image_id=5), "annotation 100: image_id 5"),
        (lambda d: d["annotations"][0].update(category_id=3), "annotation 100: category_id 3"),
        (lambda d: d["images"][1].update(file_name="nope.png"), "image 2 ('nope.png')"),
        (
            lambda d: d["annotations"][0].update(segmentation=[[1, 2, 3]]),
            "annotation 100: polygon 1",
        ),
        (
            lambda d: d["annotations"][0].update(segmentation=[[1, 2, 3, 4, 5, "x"]]),
            "annotation 100: polygon 1",
        ),
        (lambda d: d["annotations"][0].update(segmentation=[[1, 2, 300, 4, 5, 6]]), "outside"),
        (lambda d: d["annotations"][1]["segmentation"].update(counts="!!!"), "annotation 101"),
        (lambda d: d["annotations"][1]["segmentation"].update(counts=[5, 6]), "add up to 11"),
        (lambda d: d["annotations"][1]["segmentation"].update(size=[3, 3]), "does not match"),
        (lambda d: d["annotations"][0].update(segmentation=[[5, 5, 5, 5, 5, 5]]), "mask is empty"),
        (lambda d: d["images"][0].update(width=41), "annotations say 41×30"),
        (
            lambda d: d["annotations"].append(dict(d["annotations"][0])),
            "annotation 100: the id appears twice",
        ),
        (lambda d: d.pop("categories"), "'categories' is missing"),
    ],
)
def test_coco_bad(mutate, words):
    assert words in rejected(import_coco, *coco_files(mutate), image_size=20)


def test_coco_not_json_and_limits():
    assert "not valid JSON" in rejected(import_coco, io.BytesIO(b"{"), make_zip({}))
    ann, imgs = coco_files()
    assert "annotations; the limit is 1" in rejected(
        import_coco, ann, imgs, limits=Limits(max_annotations=1)
    )


@pytest.mark.parametrize(
    "bbox, words",
    [
        ([-5, -5, -10, -10], "negative corner or size"),
        ([0, 0, 41, 10], "reaches outside the 40×30 image"),
        ([1, 2, 3], "bbox must be [x, y, width, height]"),
        (["a", 0, 1, 1], "bbox must be [x, y, width, height]"),
    ],
)
def test_coco_bbox_is_checked_when_present(bbox, words):
    mutate = lambda d: d["annotations"][0].update(bbox=bbox)
    assert words in rejected(import_coco, *coco_files(mutate), image_size=20)


def test_coco_a_good_bbox_is_accepted():
    r = import_coco(
        *coco_files(lambda d: d["annotations"][0].update(bbox=[5, 5, 15, 15])), image_size=20
    )
    assert r.X.shape[0] == 2


def test_coco_deeply_nested_json_is_refused_not_a_crash():
    _, images = coco_files()
    message = rejected(import_coco, io.BytesIO(b"[" * 100_000), images, image_size=20)
    assert "nests" in message or "not valid JSON" in message


def test_a_text_file_in_an_image_zip_is_named_without_python_internals():
    from nnweb.datasets.importers.image_zip import import_image_zip

    buf = make_zip(
        {"a/1.png": png_bytes((8, 8)), "a/2.png": png_bytes((8, 8)), "b/notes.png": b"hello"}
    )
    message = rejected(import_image_zip, buf)
    assert "b/notes.png" in message and "BytesIO" not in message
