"""Anchors, box coding, IoU and NMS (against onnxruntime's NonMaxSuppression)."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from engine.detection.anchors import base_anchors, make_anchors
from engine.detection.boxes import box_iou, clip_boxes, decode, encode
from engine.detection.nms import nms


def random_boxes(rng, n, size=128.0):
    xy = rng.uniform(0, size * 0.8, (n, 2))
    wh = rng.uniform(2, size * 0.4, (n, 2))
    return np.concatenate([xy, xy + wh], axis=1).astype(np.float32)


def test_anchors_centres_sizes_and_order():
    a = make_anchors(2, 3, 8, sizes=[16, 32], ratios=[1.0])
    assert a.shape == (2 * 3 * 2, 4)
    a = a.reshape(2, 3, 2, 4)
    centre = (a[..., :2] + a[..., 2:]) / 2
    np.testing.assert_allclose(centre[1, 2, 0], [2.5 * 8, 1.5 * 8])
    np.testing.assert_allclose(a[0, 0, 1, 2:] - a[0, 0, 1, :2], [32, 32])
    b = base_anchors([10], ratios=[0.5, 2.0])
    h_over_w = (b[:, 3] - b[:, 1]) / (b[:, 2] - b[:, 0])
    np.testing.assert_allclose(h_over_w, [0.5, 2.0], rtol=1e-6)
    np.testing.assert_allclose((b[:, 3] - b[:, 1]) * (b[:, 2] - b[:, 0]), [100, 100], rtol=1e-5)


@pytest.mark.parametrize("weights", [(1.0, 1.0, 1.0, 1.0), (10.0, 10.0, 5.0, 5.0)])
def test_encode_decode_round_trip(weights):
    rng = np.random.default_rng(0)
    ref = random_boxes(rng, 50)
    target = random_boxes(rng, 50)
    d = encode(ref, target, weights)
    np.testing.assert_allclose(decode(d, ref, weights), target, atol=1e-3)
    np.testing.assert_allclose(encode(ref, ref, weights), 0, atol=1e-6)


def test_box_iou_and_clip():
    a = np.array([[0, 0, 10, 10], [5, 5, 15, 15]], np.float32)
    b = np.array([[0, 0, 10, 10], [10, 10, 20, 20], [3, 3, 3, 9]], np.float32)
    iou = box_iou(a, b)
    np.testing.assert_allclose(iou[0], [1, 0, 0])
    np.testing.assert_allclose(iou[1], [25 / 175, 25 / 175, 0], rtol=1e-6)
    c = clip_boxes(np.array([[-5, -1, 140, 60]], np.float32), 50, 128)
    np.testing.assert_array_equal(c, [[0, 0, 128, 50]])
    with pytest.raises(ValueError, match="box_iou"):
        box_iou(a[:, :3], b)


def ort_nms(boxes, scores, iou, score_threshold, max_out):
    nodes = [helper.make_node("NonMaxSuppression", ["b", "s", "m", "i", "t"], ["sel"])]
    inits = [
        helper.make_tensor("m", TensorProto.INT64, [1], [max_out]),
        helper.make_tensor("i", TensorProto.FLOAT, [1], [iou]),
        helper.make_tensor("t", TensorProto.FLOAT, [1], [score_threshold]),
    ]
    graph = helper.make_graph(
        nodes,
        "nms",
        [
            helper.make_tensor_value_info("b", TensorProto.FLOAT, [1, None, 4]),
            helper.make_tensor_value_info("s", TensorProto.FLOAT, [1, 1, None]),
        ],
        [helper.make_tensor_value_info("sel", TensorProto.INT64, [None, 3])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (sel,) = sess.run(None, {"b": boxes[None], "s": scores[None, None]})
    return sel[:, 2]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("iou", [0.3, 0.5, 0.7])
def test_nms_matches_onnxruntime(seed, iou):
    rng = np.random.default_rng(seed)
    base = random_boxes(rng, 40)
    # clusters of jittered copies so that suppression really happens
    boxes = np.concatenate([base, base + rng.normal(0, 3, base.shape).astype(np.float32)])
    boxes = np.concatenate([boxes, np.array([[5, 5, 5, 20]], np.float32)])  # zero area
    scores = rng.random(boxes.shape[0]).astype(np.float32)
    for thr, max_out in [(0.0, 1000), (0.3, 1000), (0.1, 7)]:
        got = nms(boxes, scores, iou, thr, max_out)
        want = ort_nms(boxes, scores, iou, thr, max_out)
        np.testing.assert_array_equal(got, want)
    assert nms(boxes[:0], scores[:0], 0.5).shape == (0,)


def test_nms_ties_follow_onnxruntime():
    rng = np.random.default_rng(9)
    boxes = random_boxes(rng, 60)
    boxes = np.concatenate([boxes, boxes + 1.0])
    scores = np.round(rng.random(boxes.shape[0]), 1).astype(np.float32)  # many equal scores
    scores[:10] = 1.0
    got = nms(boxes, scores, 0.5, 0.05, 1000)
    np.testing.assert_array_equal(got, ort_nms(boxes, scores, 0.5, 0.05, 1000))
