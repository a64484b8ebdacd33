"""Export the whole Mask R-CNN inference as one ONNX graph (opset 17).

    export_onnx(model, "maskrcnn.onnx", input_size=(128, 128))
    python -m engine.detection.onnx_export [--weights W.npz] [--out M.onnx] [--size 128]
        [--matmul-sampling]

Input ``image`` float32 [1, 3, H, W], RGB in [0, 1] (trained for 128 x 128; the shipped file
is exported for exactly 128 x 128, the size the segmentation service always feeds, so that
anchors, pixel centres and feature sizes are constants; ``--size 0`` / ``input_size=None``
gives a graph for any H, W). Outputs, as
torchvision's Mask R-CNN: ``boxes`` [K, 4] (x1, y1, x2, y2 pixels), ``labels`` [K] int64
(index into metadata ``classes``), ``scores`` [K] float32, ``masks`` [K, 1, H, W]
probabilities. K = 0 when nothing scores above the threshold.

The graph repeats ``MaskRCNN.predict`` operation by operation: Conv/Relu/MaxPool backbone,
RPN convs, anchors built from the feature-map shape (Range), TopK + box decoding + Clip +
NonMaxSuppression for proposals, RoI Align 7x7 written as interpolation matrices and two
MatMuls (the same numbers as RoiAlign with coordinate_transformation_mode="half_pixel",
avg, sampling_ratio 2; RoI Align's average is separable) + Gemm box head, Softmax,
per-class decoding with one NonMaxSuppression call (one batch per class), TopK for the final
order, RoiAlign (half_pixel, written explicitly) + Conv + ConvTranspose mask head,
GatherElements for the true class's map, Sigmoid, and GridSample (bilinear, zero padding,
align_corners=0) to paste every mask into the image. ``--matmul-sampling`` writes the mask
RoI Align and the paste as MatMuls too (the paste as ``Py @ mask @ Px.T``, as
``maskrcnn.paste_masks`` does): same detections, cheaper in onnxruntime.

Why MatMuls: onnxruntime's CPU RoiAlign and GridSample kernels are slow for these sizes (on
one thread, RoiAlign over the 50 proposals was the most expensive node, about a fifth of the
run, and GridSample about a tenth); the interpolation matrices are small and their products
run as GEMMs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from engine.detection.anchors import base_anchors
from engine.detection.boxes import BBOX_CLIP
from engine.detection.maskrcnn import MaskRCNN

OPSET = 17


class _Graph:
    """Tiny helper that names nodes and constants."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.inits: list = []
        self.n = 0

    def name(self, base: str) -> str:
        self.n += 1
        return f"{base}_{self.n}"

    def const(self, value, dtype=np.float32, base="c") -> str:
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, inputs: list[str], n_out: int = 1, out=None, **attrs):
        outs = out if out is not None else [self.name(op_type.lower()) for _ in range(n_out)]
        if isinstance(outs, str):
            outs = [outs]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=self.name("n"), **attrs))
        return outs[0] if len(outs) == 1 else outs

    # helpers -----------------------------------------------------------------
    def col(self, x: str, k: int) -> str:
        """x[..., k:k+1] on the last axis."""
        return self.op(
            "Slice",
            [
                x,
                self.const([k], np.int64),
                self.const([k + 1], np.int64),
                self.const([-1], np.int64),
            ],
        )

    def decode(self, deltas: str, ref: str, weights) -> str:
        """boxes.decode with the same float32 operations, on [..., 4] tensors."""
        x1, y1, x2, y2 = (self.col(ref, k) for k in range(4))
        w = self.op("Sub", [x2, x1])
        h = self.op("Sub", [y2, y1])
        half = self.const(0.5)
        cx = self.op("Add", [x1, self.op("Mul", [half, w])])
        cy = self.op("Add", [y1, self.op("Mul", [half, h])])
        d = [self.op("Div", [self.col(deltas, k), self.const(weights[k])]) for k in range(4)]
        clip = self.const(np.float32(BBOX_CLIP))
        dw = self.op("Min", [d[2], clip])
        dh = self.op("Min", [d[3], clip])
        pcx = self.op("Add", [self.op("Mul", [d[0], w]), cx])
        pcy = self.op("Add", [self.op("Mul", [d[1], h]), cy])
        pw = self.op("Mul", [self.op("Exp", [dw]), w])
        ph = self.op("Mul", [self.op("Exp", [dh]), h])
        hw = self.op("Mul", [half, pw])
        hh = self.op("Mul", [half, ph])
        parts = [
            self.op("Sub", [pcx, hw]),
            self.op("Sub", [pcy, hh]),
            self.op("Add", [pcx, hw]),
            self.op("Add", [pcy, hh]),
        ]
        return self.op("Concat", parts, axis=-1)

    def clip_boxes(self, boxes: str, height: str, width: str) -> str:
        zero = self.const(0.0)
        parts = []
        for k in range(4):
            hi = width if k % 2 == 0 else height
            parts.append(self.op("Clip", [self.col(boxes, k), zero, hi]))
        return self.op("Concat", parts, axis=-1)

    def min_k(self, n_shape: str, k: int) -> str:
        """[min(n, k)] as int64 (1,), n_shape being a Shape (1,) tensor."""
        return self.op("Min", [n_shape, self.const([k], np.int64)])

    def shape_of(self, parts) -> str:
        """An int64 shape vector from ints and int64 scalar tensors (dynamic sizes)."""
        if all(isinstance(v, int) for v in parts):
            return self.const(list(parts), np.int64)
        vec = [
            self.const([v], np.int64)
            if isinstance(v, int)
            else self.op("Unsqueeze", [v, self.const([0], np.int64)])
            for v in parts
        ]
        return self.op("Concat", vec, axis=0)

    def arange_f(self, n) -> str:
        """float32 [0, 1, ..., n - 1]; n an int or an int64 scalar tensor."""
        if isinstance(n, int):
            return self.const(np.arange(n, dtype=np.float32))
        rng = self.op("Range", [self.const(0, np.int64), n, self.const(1, np.int64)])
        return self.op("Cast", [rng], to=TensorProto.FLOAT)

    def as_float(self, n) -> str:
        """n (int or int64 scalar tensor) as a float32 scalar."""
        if isinstance(n, int):
            return self.const(float(n))
        return self.op("Cast", [n], to=TensorProto.FLOAT)

    def roi_align_mm(self, feat, rois, channels, hw, size, sampling, scale) -> str:
        """ONNX RoiAlign (avg, half_pixel, fixed sampling ratio, one image) as two MatMuls.

        RoI Align's average is separable (see engine/detection/roi.py): the output of RoI r
        is ``Ay[r] @ feat[c] @ Ax[r].T`` with interpolation matrices Ay (R, P, Hf) and
        Ax (R, P, Wf). Every sampling point's bilinear weights along one axis are the "tent"
        max(0, 1 - |c - i|) at the point's coordinate c clamped into [0, n - 1], zero for a
        point more than one cell outside the map (c < -1 or c > n), and the bin's points are
        averaged: the same numbers RoiAlign uses. ``hw`` = (Hf, Wf) as ints (fixed input
        size) or int64 scalar tensors; ``channels`` is C. Returns (R, P * C, P), ordered
        (r, ph, c, pw).
        """
        P, S = size, sampling
        # sampling coordinates (R, P * S): start + p * bin + (i + 0.5) * bin / S
        pv = self.const(np.repeat(np.arange(P, dtype=np.float32), S))
        iv = self.const(np.tile(np.arange(S, dtype=np.float32) + np.float32(0.5), P))

        def weights(lo_k: int, hi_k: int, n) -> str:
            half = self.const(0.5)
            sc = self.const(np.float32(scale))
            lo = self.op("Sub", [self.op("Mul", [self.col(rois, lo_k), sc]), half])
            hi = self.op("Sub", [self.op("Mul", [self.col(rois, hi_k), sc]), half])
            bin_ = self.op("Div", [self.op("Sub", [hi, lo]), self.const(float(P))])
            step = self.op("Div", [bin_, self.const(float(S))])
            coord = self.op(
                "Add",
                [self.op("Add", [lo, self.op("Mul", [pv, bin_])]), self.op("Mul", [iv, step])],
            )  # (R, P * S)
            nf = self.as_float(n)
            inside = self.op(
                "And",
                [
                    self.op("GreaterOrEqual", [coord, self.const(-1.0)]),
                    self.op("LessOrEqual", [coord, nf]),
                ],
            )
            last = self.op("Sub", [nf, self.const(1.0)])
            c = self.op("Clip", [coord, self.const(0.0), last])
            c = self.op("Unsqueeze", [c, self.const([2], np.int64)])
            d = self.op("Sub", [c, self.arange_f(n)])
            tent = self.op("Relu", [self.op("Sub", [self.const(1.0), self.op("Abs", [d])])])
            keep = self.op(
                "Unsqueeze",
                [self.op("Cast", [inside], to=TensorProto.FLOAT), self.const([2], np.int64)],
            )
            w = self.op("Mul", [tent, keep])  # (R, P * S, n) -> mean over a bin's S points
            w = self.op("Reshape", [w, self.shape_of([-1, P, S, n])])
            w = self.op("ReduceSum", [w, self.const([2], np.int64)], keepdims=0)
            return self.op("Mul", [w, self.const(1.0 / S)])  # (R, P, n)

        Hf, Wf = hw
        Ay = weights(1, 3, Hf)  # (R, P, Hf)
        AxT = self.op("Transpose", [weights(0, 2, Wf)], perm=[0, 2, 1])  # (R, Wf, P)
        # feat (1, C, Hf, Wf) -> (Hf, C * Wf); (R * P, Hf) @ it -> (R * P, C * Wf)
        ft = self.op("Transpose", [feat], perm=[2, 0, 1, 3])
        ft = self.op("Reshape", [ft, self.const([0, -1], np.int64)])
        t = self.op("MatMul", [self.op("Flatten", [Ay], axis=2), ft])
        t = self.op("Reshape", [t, self.shape_of([-1, P * channels, Wf])])  # (R, P * C, Wf)
        return self.op("MatMul", [t, AxT])  # (R, P * C, P)


def build_graph(
    model: MaskRCNN, input_size: tuple[int, int] | None = None, matmul_sampling: bool = False
) -> onnx.ModelProto:
    """The inference graph; ``input_size`` = (H, W) fixes the input size (else H, W are free).

    With a fixed size everything that depends only on it (anchors, pixel centres, feature
    map sizes) is a constant instead of a chain of Shape / Range / Cast nodes. The box
    head's RoI Align is always written as MatMuls; ``matmul_sampling=True`` writes the mask
    head's RoI Align and the paste (GridSample) as MatMuls too (same numbers, cheaper in
    onnxruntime, but then the graph holds neither RoiAlign nor GridSample).
    """
    cfg, p = model.config, model.params
    g = _Graph()
    F = lambda name: g.const(p[name], base=name.replace(".", "_"))  # noqa: E731

    # image -> normalised input, backbone
    x = g.op("Sub", ["image", g.const(cfg["mean"])])
    x = g.op("Mul", [x, g.const(cfg["scale"])])
    c3 = None
    for step in cfg["backbone"]:
        if step[0] == "conv":
            x = g.op("Conv", [x, F(step[1] + ".W"), F(step[1] + ".b")], pads=[1, 1, 1, 1])
            x = g.op("Relu", [x])
            if step[1] == cfg["c3_after"]:
                c3 = x
        else:
            x = g.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2])
    c5 = x

    if input_size is not None:
        Hi, Wi = (int(v) for v in input_size)
        h5, w5 = Hi, Wi  # C5's size: the backbone's 2x2 max pools floor it
        for step in cfg["backbone"]:
            if step[0] == "pool":
                h5, w5 = h5 // 2, w5 // 2
    else:
        img_shape = g.op("Shape", ["image"])
        Hi = g.op("Gather", [img_shape, g.const(2, np.int64)])  # int64 scalars
        Wi = g.op("Gather", [img_shape, g.const(3, np.int64)])
        c5_dims = g.op("Shape", [c5])
        h5 = g.op("Gather", [c5_dims, g.const(2, np.int64)])
        w5 = g.op("Gather", [c5_dims, g.const(3, np.int64)])
    H, W = g.as_float(Hi), g.as_float(Wi)

    # RPN
    r = g.op("Relu", [g.op("Conv", [c5, F("rpn_conv.W"), F("rpn_conv.b")], pads=[1, 1, 1, 1])])
    obj = g.op("Conv", [r, F("rpn_cls.W"), F("rpn_cls.b")])
    rdel = g.op("Conv", [r, F("rpn_reg.W"), F("rpn_reg.b")])
    perm = [0, 2, 3, 1]
    obj_f = g.op("Reshape", [g.op("Transpose", [obj], perm=perm), g.const([-1], np.int64)])
    del_f = g.op("Reshape", [g.op("Transpose", [rdel], perm=perm), g.const([-1, 4], np.int64)])

    # anchors (h * w * A, 4) from the feature-map size, ordered (y, x, anchor)
    if input_size is not None:
        anchors = g.const(model._anchors(h5, w5))
    else:
        stride = g.const(float(cfg["c5_stride"]))

        def centres(n: str) -> str:
            return g.op("Mul", [g.op("Add", [g.arange_f(n), g.const(0.5)]), stride])

        cy, cx = centres(h5), centres(w5)
        cx4 = g.op("Reshape", [cx, g.const([1, -1, 1, 1], np.int64)])
        cy4 = g.op("Reshape", [cy, g.const([-1, 1, 1, 1], np.int64)])
        zero_y = g.op("Mul", [cy4, g.const(0.0)])
        zero_x = g.op("Mul", [cx4, g.const(0.0)])
        CX = g.op("Add", [cx4, zero_y])
        CY = g.op("Add", [cy4, zero_x])
        shift = g.op("Concat", [CX, CY, CX, CY], axis=3)
        base = g.const(base_anchors(cfg["anchor_sizes"], cfg["anchor_ratios"])[None, None])
        anchors = g.op("Reshape", [g.op("Add", [shift, base]), g.const([-1, 4], np.int64)])

    # proposals: top-k objectness, decode, clip, NMS
    k_pre = g.min_k(g.op("Shape", [obj_f]), cfg["pre_nms_test"])
    top_s, top_i = g.op("TopK", [obj_f, k_pre], n_out=2, axis=0, largest=1, sorted=1)
    a_top = g.op("Gather", [anchors, top_i], axis=0)
    d_top = g.op("Gather", [del_f, top_i], axis=0)
    pboxes = g.clip_boxes(g.decode(d_top, a_top, [1.0, 1.0, 1.0, 1.0]), H, W)
    sel = g.op(
        "NonMaxSuppression",
        [
            g.op("Unsqueeze", [pboxes, g.const([0], np.int64)]),
            g.op("Unsqueeze", [top_s, g.const([0, 1], np.int64)]),
            g.const([cfg["post_nms_test"]], np.int64),
            g.const([cfg["rpn_nms"]]),
        ],
        center_point_box=0,
    )
    keep = g.op("Gather", [sel, g.const(2, np.int64)], axis=1)
    props = g.op("Gather", [pboxes, keep], axis=0)
    n_props = g.op("Shape", [keep])

    def zeros_for(n_shape: str) -> str:
        return g.op(
            "ConstantOfShape",
            [n_shape],
            value=numpy_helper.from_array(np.zeros(1, dtype=np.int64)),
        )

    def roi_align(feat, rois, n_shape, size, stride_):
        return g.op(
            "RoiAlign",
            [feat, rois, zeros_for(n_shape)],
            coordinate_transformation_mode="half_pixel",
            mode="avg",
            output_height=size,
            output_width=size,
            sampling_ratio=cfg["sampling_ratio"],
            spatial_scale=1.0 / stride_,
        )

    # box head: RoI Align 7x7 on C5 as two MatMuls (the same numbers as RoiAlign, much
    # cheaper for 50 RoIs in onnxruntime), its output ordered (RoI, row, channel, column);
    # box_fc1's columns are permuted from (channel, row, column) to that order to match.
    P5, C5 = cfg["box_pool"], cfg["channels"]
    feats = g.roi_align_mm(
        c5, props, C5, (h5, w5), P5, cfg["sampling_ratio"], 1.0 / cfg["c5_stride"]
    )
    a = g.op("Flatten", [feats], axis=1)
    w1 = p["box_fc1.W"].reshape(-1, C5, P5, P5).transpose(0, 2, 1, 3).reshape(-1, C5 * P5 * P5)
    w1 = g.const(np.ascontiguousarray(w1), base="box_fc1_W_rows_cols")
    a = g.op("Relu", [g.op("Gemm", [a, w1, F("box_fc1.b")], transB=1)])
    a = g.op("Relu", [g.op("Gemm", [a, F("box_fc2.W"), F("box_fc2.b")], transB=1)])
    logits = g.op("Gemm", [a, F("box_cls.W"), F("box_cls.b")], transB=1)
    deltas = g.op("Gemm", [a, F("box_reg.W"), F("box_reg.b")], transB=1)
    probs = g.op("Softmax", [logits], axis=1)
    nK = len(cfg["classes"])
    # class-specific boxes (nK-1, P, 4) and scores (nK-1, 1, P)
    d3 = g.op("Reshape", [deltas, g.const([0, nK, 4], np.int64)])
    d3 = g.op("Transpose", [d3], perm=[1, 0, 2])
    d3 = g.op(
        "Slice",
        [d3, g.const([1], np.int64), g.const([nK], np.int64), g.const([0], np.int64)],
    )
    cboxes = g.clip_boxes(g.decode(d3, props, cfg["box_weights"]), H, W)
    cscores = g.op(
        "Slice",
        [
            g.op("Transpose", [probs], perm=[1, 0]),
            g.const([1], np.int64),
            g.const([nK], np.int64),
            g.const([0], np.int64),
        ],
    )
    dsel = g.op(
        "NonMaxSuppression",
        [
            cboxes,
            g.op("Unsqueeze", [cscores, g.const([1], np.int64)]),
            g.const([cfg["max_det"]], np.int64),
            g.const([cfg["det_nms"]]),
            g.const([cfg["score_thresh"]]),
        ],
        center_point_box=0,
    )
    cls_i = g.op("Gather", [dsel, g.const(0, np.int64)], axis=1)
    box_i = g.op("Gather", [dsel, g.const(2, np.int64)], axis=1)
    flat_i = g.op("Add", [g.op("Mul", [cls_i, n_props]), box_i])
    sel_boxes = g.op("Gather", [g.op("Reshape", [cboxes, g.const([-1, 4], np.int64)]), flat_i])
    sel_scores = g.op("Gather", [g.op("Reshape", [cscores, g.const([-1], np.int64)]), flat_i])
    k_det = g.min_k(g.op("Shape", [flat_i]), cfg["max_det"])
    scores, order = g.op("TopK", [sel_scores, k_det], n_out=2, axis=0, largest=1, sorted=1)
    g.op("Identity", [scores], out="scores")
    boxes = g.op("Gather", [sel_boxes, order], axis=0, out="boxes")
    labels = g.op(
        "Gather", [g.op("Add", [cls_i, g.const(1, np.int64)]), order], axis=0, out="labels"
    )

    # mask head on the final boxes
    n_det = g.op("Shape", [order])
    Pm, C3 = cfg["mask_pool"], p[cfg["c3_after"] + ".W"].shape[0]
    if matmul_sampling:
        if input_size is not None:
            h3, w3 = Hi, Wi  # C3: before the last pool
            pools = [i for i, st in enumerate(cfg["backbone"]) if st[0] == "pool"]
            c3_at = [i for i, st in enumerate(cfg["backbone"]) if st[1:2] == [cfg["c3_after"]]]
            for i in pools:
                if i < c3_at[0]:
                    h3, w3 = h3 // 2, w3 // 2
        else:
            c3_dims = g.op("Shape", [c3])
            h3 = g.op("Gather", [c3_dims, g.const(2, np.int64)])
            w3 = g.op("Gather", [c3_dims, g.const(3, np.int64)])
        mf = g.roi_align_mm(
            c3, boxes, C3, (h3, w3), Pm, cfg["sampling_ratio"], 1.0 / cfg["c3_stride"]
        )  # (K, P * C, P) -> (K, C, P, P)
        mf = g.op("Reshape", [mf, g.const([-1, Pm, C3, Pm], np.int64)])
        mf = g.op("Transpose", [mf], perm=[0, 2, 1, 3])
    else:
        mf = roi_align(c3, boxes, n_det, Pm, cfg["c3_stride"])
    m = g.op("Relu", [g.op("Conv", [mf, F("mask_conv1.W"), F("mask_conv1.b")], pads=[1] * 4)])
    m = g.op("Relu", [g.op("Conv", [m, F("mask_conv2.W"), F("mask_conv2.b")], pads=[1] * 4)])
    m = g.op(
        "Relu",
        [
            g.op(
                "ConvTranspose",
                [m, F("mask_up.W"), F("mask_up.b")],
                kernel_shape=[2, 2],
                strides=[2, 2],
            )
        ],
    )
    m = g.op("Conv", [m, F("mask_out.W"), F("mask_out.b")])  # (K, nK-1, 28, 28)
    ms = 2 * cfg["mask_pool"]
    ch = g.op(
        "Reshape", [g.op("Sub", [labels, g.const(1, np.int64)]), g.const([-1, 1, 1, 1], np.int64)]
    )
    idx = g.op("Expand", [ch, g.op("Concat", [n_det, g.const([1, ms, ms], np.int64)], axis=0)])
    m = g.op("Sigmoid", [g.op("GatherElements", [m, idx], axis=1)])  # (K, 1, 28, 28)

    # paste: GridSample at every pixel centre, normalised to the box
    def grid_axis(n, lo_k: int, hi_k: int) -> str:
        if isinstance(n, int):
            c = g.const((np.arange(n, dtype=np.float32) + np.float32(0.5))[None])
        else:
            c = g.op("Add", [g.arange_f(n), g.const(0.5)])
            c = g.op("Unsqueeze", [c, g.const([0], np.int64)])
        lo, hi = g.col(boxes, lo_k), g.col(boxes, hi_k)
        side = g.op("Max", [g.op("Sub", [hi, lo]), g.const(1e-3)])
        v = g.op("Div", [g.op("Sub", [c, lo]), side])
        return g.op("Sub", [g.op("Mul", [v, g.const(2.0)]), g.const(1.0)])

    if matmul_sampling:
        # GridSample(bilinear, zeros, align_corners=0) is separable too: Py @ m @ Px.T with
        # tent weights at u = ((g + 1) * ms - 1) / 2 over the ms cells (as paste_masks)
        cells = g.arange_f(ms)

        def sample_matrix(n, lo_k: int, hi_k: int) -> str:  # (K, n, ms)
            gv = grid_axis(n, lo_k, hi_k)
            u = g.op("Mul", [g.op("Add", [gv, g.const(1.0)]), g.const(float(ms))])
            u = g.op("Div", [g.op("Sub", [u, g.const(1.0)]), g.const(2.0)])
            d = g.op("Sub", [g.op("Unsqueeze", [u, g.const([2], np.int64)]), cells])
            return g.op("Relu", [g.op("Sub", [g.const(1.0), g.op("Abs", [d])])])

        Py = sample_matrix(Hi, 1, 3)
        PxT = g.op("Transpose", [sample_matrix(Wi, 0, 2)], perm=[0, 2, 1])
        m3 = g.op("Reshape", [m, g.const([-1, ms, ms], np.int64)])
        pasted = g.op("MatMul", [g.op("MatMul", [Py, m3]), PxT])  # (K, H, W)
        g.op("Unsqueeze", [pasted, g.const([1], np.int64)], out="masks")
    else:
        gx = g.op("Unsqueeze", [grid_axis(Wi, 0, 2), g.const([1, 3], np.int64)])  # (K,1,W,1)
        gy = g.op("Unsqueeze", [grid_axis(Hi, 1, 3), g.const([2, 3], np.int64)])  # (K,H,1,1)
        GX = g.op("Expand", [gx, g.shape_of([1, Hi, 1, 1])])  # (K, H, W, 1)
        GY = g.op("Expand", [gy, g.shape_of([1, 1, Wi, 1])])
        grid = g.op("Concat", [GX, GY], axis=3)
        g.op(
            "GridSample",
            [m, grid],
            out="masks",
            align_corners=0,
            mode="bilinear",
            padding_mode="zeros",
        )

    hw = ["H", "W"] if input_size is None else [Hi, Wi]
    inputs = [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, *hw])]
    outputs = [
        helper.make_tensor_value_info("boxes", TensorProto.FLOAT, ["K", 4]),
        helper.make_tensor_value_info("labels", TensorProto.INT64, ["K"]),
        helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["K"]),
        helper.make_tensor_value_info("masks", TensorProto.FLOAT, ["K", 1, *hw]),
    ]
    graph = helper.make_graph(g.nodes, "nnweb_maskrcnn_shapes", inputs, outputs, g.inits)
    onnx_model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="nnweb",
        doc_string="nnweb Mask R-CNN trained from scratch on 128x128 shape images",
    )
    onnx_model.ir_version = 8
    helper.set_model_props(
        onnx_model,
        {
            "classes": json.dumps(cfg["classes"]),
            "task": "instance_segmentation",
            "input_size": "128x128",
        },
    )
    return onnx_model


def export_onnx(model: MaskRCNN, path, input_size=None, matmul_sampling=False):
    """Build, check (full_check) and save the ONNX graph of ``model`` (see build_graph)."""
    m = build_graph(model, input_size, matmul_sampling)
    onnx.checker.check_model(m, full_check=True)
    Path(path).write_bytes(m.SerializeToString())
    return m


def main(argv=None) -> None:
    here = Path(__file__).parent / "weights"
    ap = argparse.ArgumentParser(description="Export the shapes Mask R-CNN to ONNX.")
    ap.add_argument("--weights", default=str(here / "maskrcnn.npz"))
    ap.add_argument("--out", default=str(here / "maskrcnn.onnx"))
    ap.add_argument(
        "--size",
        default="128",
        help="fixed input size H or HxW (the service always feeds 128 x 128), 0 = any size",
    )
    ap.add_argument(
        "--matmul-sampling",
        action="store_true",
        help="mask RoI Align and paste as MatMuls too (no RoiAlign / GridSample in the graph)",
    )
    args = ap.parse_args(argv)
    hw = [int(v) for v in args.size.lower().split("x")]
    size = None if hw == [0] else (hw[0], hw[-1])
    export_onnx(MaskRCNN.load(args.weights), args.out, size, args.matmul_sampling)


if __name__ == "__main__":
    main()
