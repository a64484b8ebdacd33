"""RoI pooling against a slow Fast R-CNN reference, onnxruntime's MaxRoiPool and finite
differences."""

from __future__ import annotations

import math

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from engine.detection import roi_pool, roi_pool_backward
from engine.detection.roi import roi_pool_forward, round_half_away


def c_round(v: float) -> int:
    return int(math.floor(abs(v) + 0.5)) * (1 if v >= 0 else -1)


def slow_roi_pool(x, rois, bi, oh, ow, scale):
    N, C, H, W = x.shape
    out = np.zeros((len(rois), C, oh, ow))
    for r, (x1, y1, x2, y2) in enumerate(rois):
        xs, ys, xe, ye = (c_round(v * scale) for v in (x1, y1, x2, y2))
        rw, rh = max(xe - xs + 1, 1), max(ye - ys + 1, 1)
        bh, bw = rh / oh, rw / ow
        for p in range(oh):
            h0 = min(max(math.floor(p * bh) + ys, 0), H)
            h1 = min(max(math.ceil((p + 1) * bh) + ys, 0), H)
            for q in range(ow):
                w0 = min(max(math.floor(q * bw) + xs, 0), W)
                w1 = min(max(math.ceil((q + 1) * bw) + xs, 0), W)
                if h1 <= h0 or w1 <= w0:
                    continue
                out[r, :, p, q] = x[bi[r], :, h0:h1, w0:w1].max(axis=(1, 2))
    return out


def make_case(seed, N=2, C=3, H=10, W=12, R=7):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W))
    xy1 = rng.uniform(-4, 10, size=(R, 2))
    wh = rng.uniform(0, 12, size=(R, 2))
    rois = np.concatenate([xy1, xy1 + wh], axis=1)
    rois[0] = [2.5, 1.5, 9.5, 7.5]  # halves: rounded away from zero
    rois[1] = [30, 30, 40, 40]  # entirely outside: every bin empty
    return x, rois, rng.integers(0, N, size=R)


@pytest.mark.parametrize("size,scale", [((2, 2), 1.0), ((3, 4), 1.0), ((7, 7), 1.0), (3, 0.5)])
def test_matches_definition_and_onnxruntime_maxroipool(size, scale):
    x, rois, bi = make_case(seed=4)
    oh, ow = (size, size) if isinstance(size, int) else size
    ours = roi_pool(x, rois, bi, size, scale)
    np.testing.assert_array_equal(ours, slow_roi_pool(x, rois, bi, oh, ow, scale))
    assert np.all(ours[1] == 0.0)

    node = helper.make_node(
        "MaxRoiPool", ["X", "rois"], ["Y"], pooled_shape=[oh, ow], spatial_scale=scale
    )
    graph = helper.make_graph(
        [node],
        "maxroipool",
        [
            helper.make_tensor_value_info("X", TensorProto.FLOAT, None),
            helper.make_tensor_value_info("rois", TensorProto.FLOAT, None),
        ],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
    model.ir_version = 8
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    rois5 = np.concatenate([bi[:, None], rois], axis=1).astype(np.float32)
    got = sess.run(None, {"X": x.astype(np.float32), "rois": rois5})[0]
    np.testing.assert_allclose(ours, got, rtol=1e-6, atol=1e-6)


def test_round_half_away_from_zero():
    assert list(round_half_away([0.5, 1.5, 2.5, -0.5, -2.5, 2.4])) == [1, 2, 3, -1, -3, 2]


def test_backward_routes_to_argmax_and_matches_finite_differences():
    x, rois, bi = make_case(seed=9, N=2, C=2, H=6, W=7, R=5)
    rng = np.random.default_rng(2)
    out, cache = roi_pool_forward(x, rois, bi, (3, 2))
    dout = rng.standard_normal(out.shape)
    dx = roi_pool_backward(dout, cache)
    eps = 1e-6
    num = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        old = x[i]
        x[i] = old + eps
        fp = np.sum(roi_pool(x, rois, bi, (3, 2)) * dout)
        x[i] = old - eps
        fm = np.sum(roi_pool(x, rois, bi, (3, 2)) * dout)
        x[i] = old
        num[i] = (fp - fm) / (2 * eps)
    np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-8)
    # the total gradient equals the total of dout over non-empty bins
    nonempty = cache["argmax"] >= 0
    assert np.isclose(dx.sum(), dout[nonempty].sum())


def test_overlapping_bins_accumulate_gradient():
    # 3 cells into 2 bins: floor/ceil gives bins [0, 2) and [1, 3): cell 1 is in both
    x = np.array([[[[0.0, 5.0, 1.0]]]])
    out, cache = roi_pool_forward(x, [[0, 0, 2, 0]], [0], (1, 2))
    assert out.tolist() == [[[[5.0, 5.0]]]]
    assert roi_pool_backward(np.ones_like(out), cache).tolist() == [[[[0.0, 2.0, 0.0]]]]


def test_float32_and_errors():
    x, rois, bi = make_case(seed=1)
    assert roi_pool(x.astype(np.float32), rois, bi, 2).dtype == np.float32
    out, cache = roi_pool_forward(x, np.zeros((0, 4)), [], 2)
    assert out.shape == (0, 3, 2, 2)
    assert roi_pool_backward(out, cache).shape == x.shape
    with pytest.raises(ValueError, match="roi_pool: output_size must be positive"):
        roi_pool(x, rois, bi, 0)
    with pytest.raises(ValueError, match="roi_pool backward: dout must be"):
        roi_pool_backward(np.zeros((1, 1, 1, 1)), cache)
