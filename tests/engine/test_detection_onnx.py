"""The shipped Mask R-CNN: its ONNX graph is valid and agrees with the engine forward."""

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from engine.detection.maskrcnn import MaskRCNN
from engine.detection.onnx_export import build_graph
from engine.detection.shapes import CLASSES, generate

WEIGHTS = Path(__file__).resolve().parents[2] / "engine" / "detection" / "weights"


@pytest.fixture(scope="module")
def shipped():
    model = MaskRCNN.load(WEIGHTS / "maskrcnn.npz")
    sess = ort.InferenceSession(str(WEIGHTS / "maskrcnn.onnx"), providers=["CPUExecutionProvider"])
    return model, sess


def run_onnx(sess, x):
    names = ["boxes", "labels", "scores", "masks"]
    return dict(zip(names, sess.run(names, {"image": x})))


def test_shipped_files_are_small_and_complete():
    for name in ("maskrcnn.npz", "maskrcnn.onnx", "train_log.txt", "metrics.json"):
        f = WEIGHTS / name
        assert f.is_file(), name
        assert f.stat().st_size < 8 * 1024 * 1024, name
    metrics = json.loads((WEIGHTS / "metrics.json").read_text())
    assert metrics["n_images"] == 200
    for t in ("bbox", "segm"):
        assert 0 <= metrics[t]["AP"] <= metrics[t]["AP50"] <= 1


def test_shipped_onnx_passes_full_check_and_declares_classes():
    m = onnx.load(WEIGHTS / "maskrcnn.onnx")
    onnx.checker.check_model(m, full_check=True)
    props = {p.key: p.value for p in m.metadata_props}
    assert json.loads(props["classes"]) == CLASSES
    assert [i.name for i in m.graph.input] == ["image"]
    assert [o.name for o in m.graph.output] == ["boxes", "labels", "scores", "masks"]
    ops = {n.op_type for n in m.graph.node}
    assert {"NonMaxSuppression", "TopK", "RoiAlign", "GridSample"} <= ops
    for n in m.graph.node:
        if n.op_type == "RoiAlign":
            attrs = {a.name: a for a in n.attribute}
            assert attrs["coordinate_transformation_mode"].s == b"half_pixel"


def test_shipped_onnx_agrees_with_engine_forward(shipped):
    model, sess = shipped
    images, _ = generate(3, seed=99)
    n_dets = 0
    for img in images:
        x = img.transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255.0)
        e = model.predict(x)
        o = run_onnx(sess, x)
        assert o["boxes"].shape == e["boxes"].shape
        np.testing.assert_array_equal(o["labels"], e["labels"])
        np.testing.assert_allclose(o["boxes"], e["boxes"], atol=1e-3, rtol=0)
        np.testing.assert_allclose(o["scores"], e["scores"], atol=1e-5, rtol=0)
        np.testing.assert_allclose(o["masks"], e["masks"], atol=1e-4, rtol=0)
        assert o["labels"].dtype == np.int64 and o["masks"].dtype == np.float32
        n_dets += e["boxes"].shape[0]
    assert n_dets > 0


@pytest.mark.parametrize("value", [0.0, 0.5, 1.0])
def test_blank_image_gives_no_detections(shipped, value):
    model, sess = shipped
    x = np.full((1, 3, 128, 128), value, dtype=np.float32)
    o = run_onnx(sess, x)
    assert o["boxes"].shape == (0, 4)
    assert o["labels"].shape == (0,) and o["scores"].shape == (0,)
    assert o["masks"].shape == (0, 1, 128, 128)
    assert model.predict(x)["boxes"].shape == (0, 4)


def test_export_matches_engine_on_other_image_sizes():
    """An untrained model (many detections) agrees on a non-square image too."""
    model = MaskRCNN(seed=0)
    sess = ort.InferenceSession(
        build_graph(model).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    x = np.random.default_rng(0).random((1, 3, 96, 136), dtype=np.float32)
    e = model.predict(x)
    o = run_onnx(sess, x)
    assert o["masks"].shape == (e["boxes"].shape[0], 1, 96, 136)
    np.testing.assert_array_equal(o["labels"], e["labels"])
    np.testing.assert_allclose(o["boxes"], e["boxes"], atol=1e-3, rtol=0)
    np.testing.assert_allclose(o["masks"], e["masks"], atol=1e-4, rtol=0)
