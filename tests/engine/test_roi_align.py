"""RoI Align against a slow reference written from the definition, ONNX RoiAlign-16
(onnxruntime and onnx.reference) and finite differences."""

from __future__ import annotations

import math

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

from engine.detection import roi_align, roi_align_backward, roi_align_forward


# ----------------------------------------------------------------- slow reference
def _bilinear(img: np.ndarray, y: float, x: float) -> tuple[float, list]:
    """Value of one channel at (y, x) and the four (cell, weight) terms, per the definition."""
    H, W = img.shape
    if y < -1.0 or y > H or x < -1.0 or x > W:
        return 0.0, []
    y, x = max(y, 0.0), max(x, 0.0)
    y_lo, x_lo = int(math.floor(y)), int(math.floor(x))
    if y_lo >= H - 1:
        y_lo = y_hi = H - 1
        y = float(y_lo)
    else:
        y_hi = y_lo + 1
    if x_lo >= W - 1:
        x_lo = x_hi = W - 1
        x = float(x_lo)
    else:
        x_hi = x_lo + 1
    ly, lx = y - y_lo, x - x_lo
    hy, hx = 1 - ly, 1 - lx
    terms = [
        ((y_lo, x_lo), hy * hx),
        ((y_lo, x_hi), hy * lx),
        ((y_hi, x_lo), ly * hx),
        ((y_hi, x_hi), ly * lx),
    ]
    return sum(w * img[c] for c, w in terms), terms


def bin_points(roi, oh, ow, scale, sr, aligned):
    """{(p, q): [(y, x), ...]}: the sampling points of every bin of one RoI, written out."""
    off = 0.5 if aligned else 0.0
    x1, y1, x2, y2 = (v * scale - off for v in roi)
    rw, rh = x2 - x1, y2 - y1
    if not aligned:
        rw, rh = max(rw, 1.0), max(rh, 1.0)
    bh, bw = rh / oh, rw / ow
    gh = max(sr if sr > 0 else int(math.ceil(rh / oh)), 0)
    gw = max(sr if sr > 0 else int(math.ceil(rw / ow)), 0)
    return {
        (p, q): [
            (y1 + p * bh + (iy + 0.5) * bh / gh, x1 + q * bw + (ix + 0.5) * bw / gw)
            for iy in range(gh)
            for ix in range(gw)
        ]
        for p in range(oh)
        for q in range(ow)
    }, gh * gw


def slow_roi_align(x, rois, bi, oh, ow, scale, sr, aligned, mode):
    R = len(rois)
    C = x.shape[1]
    out = np.zeros((R, C, oh, ow))
    for r in range(R):
        points, n_points = bin_points(rois[r], oh, ow, scale, sr, aligned)
        for c in range(C):
            img = x[bi[r], c]
            for (p, q), pts in points.items():
                vals = [_bilinear(img, yy, xx)[0] for yy, xx in pts]
                if not vals:
                    out[r, c, p, q] = 0.0
                elif mode == "avg":
                    out[r, c, p, q] = sum(vals) / max(n_points, 1)
                else:
                    out[r, c, p, q] = max(vals)
    return out


def onnx_max_reference(x, rois, bi, oh, ow, scale, sr, aligned):
    """What ONNX/onnxruntime call max mode: max over points of the weighted corner terms."""
    R, C = len(rois), x.shape[1]
    out = np.zeros((R, C, oh, ow))
    for r in range(R):
        points, _ = bin_points(rois[r], oh, ow, scale, sr, aligned)
        for c in range(C):
            img = x[bi[r], c]
            for (p, q), pts in points.items():
                best = None
                for yy, xx in pts:
                    _, terms = _bilinear(img, yy, xx)
                    for cell, w in terms or [((0, 0), 0.0)]:
                        v = w * img[cell]
                        best = v if best is None else max(best, v)
                out[r, c, p, q] = 0.0 if best is None else best
    return out


def onnx_roialign_model(oh, ow, scale, sr, aligned, mode) -> onnx.ModelProto:
    node = helper.make_node(
        "RoiAlign",
        ["X", "rois", "batch_indices"],
        ["Y"],
        output_height=oh,
        output_width=ow,
        spatial_scale=float(scale),
        sampling_ratio=sr,
        mode=mode,
        coordinate_transformation_mode="half_pixel" if aligned else "output_half_pixel",
    )
    graph = helper.make_graph(
        [node],
        "roialign",
        [
            helper.make_tensor_value_info("X", TensorProto.FLOAT, None),
            helper.make_tensor_value_info("rois", TensorProto.FLOAT, None),
            helper.make_tensor_value_info("batch_indices", TensorProto.INT64, None),
        ],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
    model.ir_version = 8
    return model


def run_ort(model, x, rois, bi):
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(
        None,
        {
            "X": x.astype(np.float32),
            "rois": rois.astype(np.float32),
            "batch_indices": np.asarray(bi, dtype=np.int64),
        },
    )[0]


def make_case(seed=0, N=2, C=3, H=9, W=11, R=6, scale=1.0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W))
    # boxes in input coordinates, including ones poking out of the map and tiny ones
    xy1 = rng.uniform(-3, 8, size=(R, 2)) / scale
    wh = rng.uniform(0.3, 9, size=(R, 2)) / scale
    rois = np.concatenate([xy1, xy1 + wh], axis=1)
    rois[0] = [0.0, 0.0, (W - 1) / scale, (H - 1) / scale]
    bi = rng.integers(0, N, size=R)
    return x, rois, bi


CASES = [
    # (output_size, spatial_scale, sampling_ratio, aligned)
    ((3, 3), 1.0, 0, True),
    ((2, 4), 0.5, 0, True),
    ((3, 3), 1.0, 2, False),
    ((4, 2), 0.25, 0, False),
    ((5, 5), 1.0, 1, True),
]


@pytest.mark.parametrize("size,scale,sr,aligned", CASES)
def test_avg_matches_definition_onnxruntime_and_onnx_reference(size, scale, sr, aligned):
    x, rois, bi = make_case(seed=sum(size) + sr, scale=scale)
    oh, ow = size
    ours = roi_align(x, rois, bi, size, scale, sr, aligned)
    slow = slow_roi_align(x, rois, bi, oh, ow, scale, sr, aligned, "avg")
    np.testing.assert_allclose(ours, slow, rtol=1e-12, atol=1e-12)

    model = onnx_roialign_model(oh, ow, scale, sr, aligned, "avg")
    got_ort = run_ort(model, x, rois, bi)
    np.testing.assert_allclose(ours, got_ort, rtol=1e-4, atol=1e-5)
    ref = ReferenceEvaluator(model)
    got_ref = ref.run(
        None,
        {
            "X": x.astype(np.float32),
            "rois": rois.astype(np.float32),
            "batch_indices": bi.astype(np.int64),
        },
    )[0]
    np.testing.assert_allclose(ours, got_ref, rtol=1e-4, atol=1e-5)


def test_float32_stays_float32_and_matches_float64():
    x, rois, bi = make_case(seed=3, N=1, C=4, H=16, W=16, R=8)
    bi = np.zeros_like(bi)
    out32 = roi_align(x.astype(np.float32), rois, bi, 7)
    out64 = roi_align(x, rois, bi, 7)
    assert out32.dtype == np.float32 and out64.dtype == np.float64
    np.testing.assert_allclose(out32, out64, rtol=1e-5, atol=1e-5)
    out, cache = roi_align_forward(x.astype(np.float32), rois, bi, 7)
    assert roi_align_backward(np.ones_like(out), cache).dtype == np.float32


def test_max_mode_is_the_notes_max_not_onnx_max():
    x, rois, bi = make_case(seed=7, N=2, C=2, H=8, W=8, R=5)
    size, sr = (2, 3), 2
    ours = roi_align(x, rois, bi, size, 1.0, sr, True, mode="max")
    slow = slow_roi_align(x, rois, bi, *size, 1.0, sr, True, "max")
    np.testing.assert_allclose(ours, slow, rtol=1e-12, atol=1e-12)
    # onnxruntime's max mode is another function: max of the weighted corner terms
    got_ort = run_ort(onnx_roialign_model(*size, 1.0, sr, True, "max"), x, rois, bi)
    corner = onnx_max_reference(x, rois, bi, *size, 1.0, sr, True)
    np.testing.assert_allclose(got_ort, corner, rtol=1e-4, atol=1e-5)
    diff = np.abs(ours - got_ort)
    assert diff.max() > 0.1, "the two max modes should differ on random data"
    # on a constant positive map the interpolated value is the constant, while a weighted
    # corner term is at most (largest weight) * constant < constant away from cell centres
    ones = np.ones((1, 1, 6, 6))
    box = np.array([[0.7, 0.7, 4.2, 4.9]])
    assert np.allclose(roi_align(ones, box, [0], 2, sampling_ratio=2, mode="max"), 1.0)
    onnx_ones = run_ort(onnx_roialign_model(2, 2, 1.0, 2, True, "max"), ones, box, [0])
    assert np.all(onnx_ones < 0.99)


def numerical_grad(f, x, dout, eps=1e-6):
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = np.sum(f(x) * dout)
        x[i] = old - eps
        fm = np.sum(f(x) * dout)
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


@pytest.mark.parametrize("mode", ["avg", "max"])
@pytest.mark.parametrize("aligned", [True, False])
def test_backward_by_finite_differences(mode, aligned):
    x, rois, bi = make_case(seed=11, N=2, C=2, H=6, W=7, R=4)
    rng = np.random.default_rng(5)
    size = (2, 3)
    out, cache = roi_align_forward(x, rois, bi, size, 1.0, 0, aligned, mode)
    dout = rng.standard_normal(out.shape)
    dx = roi_align_backward(dout, cache)
    num = numerical_grad(lambda z: roi_align(z, rois, bi, size, 1.0, 0, aligned, mode), x, dout)
    np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-7)


def test_backward_matches_onnx_free_linear_identity():
    """Avg RoI Align is linear in x: <roi_align(x), d> == <x, backward(d)>."""
    x, rois, bi = make_case(seed=2, N=3, C=5, H=12, W=10, R=20)
    out, cache = roi_align_forward(x, rois, bi, 7, 0.5, 0, True)
    d = np.random.default_rng(1).standard_normal(out.shape)
    assert np.isclose(np.sum(out * d), np.sum(x * roi_align_backward(d, cache)), rtol=1e-12)


def test_edge_cases_no_rois_degenerate_and_bad_input():
    x = np.random.default_rng(0).standard_normal((1, 2, 5, 5))
    out, cache = roi_align_forward(x, np.zeros((0, 4)), np.zeros(0, dtype=int), 3)
    assert out.shape == (0, 2, 3, 3)
    assert roi_align_backward(out, cache).shape == x.shape
    # a zero-size aligned box has no sampling points: output 0, like ONNX
    z = roi_align(x, [[2.0, 2.0, 2.0, 2.0]], [0], 2)
    assert np.all(z == 0.0)
    with pytest.raises(ValueError, match=r"roi_align: x must be \(N, C, H, W\)"):
        roi_align(x[0], [[0, 0, 1, 1]], [0], 2)
    with pytest.raises(ValueError, match="rois must be"):
        roi_align(x, [[0, 0, 1]], [0], 2)
    with pytest.raises(ValueError, match="batch_indices must lie"):
        roi_align(x, [[0, 0, 1, 1]], [1], 2)
    with pytest.raises(ValueError, match="mode"):
        roi_align(x, [[0, 0, 1, 1]], [0], 2, mode="sum")


def test_sampling_is_bounded_by_name():
    """An RoI side of 1e9 would ask the adaptive grid for ~1e8 points per bin side."""
    from engine.detection.roi import MAX_POINTS_PER_BIN_SIDE, MAX_SAMPLING_VALUES

    x = np.random.default_rng(0).standard_normal((1, 2, 8, 8))
    rois = [[0, 0, 4, 4], [0.0, 0.0, 1e9, 4.0]]
    for mode in ("avg", "max"):
        with pytest.raises(
            ValueError, match=rf"roi_align: RoI 1 \(.*1e\+09.*limit is {MAX_POINTS_PER_BIN_SIDE}"
        ):
            roi_align(x, rois, [0, 0], 7, mode=mode)
    with pytest.raises(ValueError, match=r"RoI 0 .*limit is 1024"):
        roi_align(x, [[0, 0, 4, 4]], [0], 2, sampling_ratio=10**6)
    with pytest.raises(ValueError, match=r"RoI 0 is infinite"):
        roi_align(x, [[0, 0, 4, 4]], [0], 2, spatial_scale=1e308)
    # under the per-side bound, the total still is: 128 RoIs, 40 x 40 points in each of 7 x 7
    # bins, 2 channels = 20 million values in max mode
    big = [[0, 0, 279, 279]] * 128
    with pytest.raises(
        ValueError, match=rf"128 RoIs would sample .*limit of {MAX_SAMPLING_VALUES}"
    ):
        roi_align(x, big, [0] * 128, 7, mode="max")
    # the same RoIs are cheap in the separable avg mode, and a whole-map RoI is fine in both
    assert roi_align(x, big, [0] * 128, 7).shape == (128, 2, 7, 7)
    assert roi_align(x, [[0, 0, 8, 8]], [0], 7, mode="max").shape == (1, 2, 7, 7)
