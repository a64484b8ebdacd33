"""Export the whole Mask R-CNN inference as one ONNX graph (opset 17).

    export_onnx(model, "maskrcnn.onnx")
    python -m engine.detection.onnx_export [--weights W.npz] [--out M.onnx]

Input ``image`` float32 [1, 3, H, W], RGB in [0, 1] (trained for 128 x 128). Outputs, as
torchvision's Mask R-CNN: ``boxes`` [K, 4] (x1, y1, x2, y2 pixels), ``labels`` [K] int64
(index into metadata ``classes``), ``scores`` [K] float32, ``masks`` [K, 1, H, W]
probabilities. K = 0 when nothing scores above the threshold.

The graph repeats ``MaskRCNN.predict`` operation by operation: Conv/Relu/MaxPool backbone,
RPN convs, anchors built from the feature-map shape (Range), TopK + box decoding + Clip +
NonMaxSuppression for proposals, RoiAlign (coordinate_transformation_mode="half_pixel",
written explicitly) + Gemm box head, Softmax, per-class decoding with one
NonMaxSuppression call (one batch per class), TopK for the final order, RoiAlign + Conv +
ConvTranspose mask head, GatherElements for the true class's map, Sigmoid, and GridSample
(bilinear, zero padding, align_corners=0) to paste every mask into the image.
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


def build_graph(model: MaskRCNN) -> onnx.ModelProto:
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

    img_shape = g.op("Shape", ["image"])
    H = g.op("Cast", [g.op("Gather", [img_shape, g.const(2, np.int64)])], to=TensorProto.FLOAT)
    W = g.op("Cast", [g.op("Gather", [img_shape, g.const(3, np.int64)])], to=TensorProto.FLOAT)

    # RPN
    r = g.op("Relu", [g.op("Conv", [c5, F("rpn_conv.W"), F("rpn_conv.b")], pads=[1, 1, 1, 1])])
    obj = g.op("Conv", [r, F("rpn_cls.W"), F("rpn_cls.b")])
    rdel = g.op("Conv", [r, F("rpn_reg.W"), F("rpn_reg.b")])
    perm = [0, 2, 3, 1]
    obj_f = g.op("Reshape", [g.op("Transpose", [obj], perm=perm), g.const([-1], np.int64)])
    del_f = g.op("Reshape", [g.op("Transpose", [rdel], perm=perm), g.const([-1, 4], np.int64)])

    # anchors (h * w * A, 4) from the feature-map size, ordered (y, x, anchor)
    c5_shape = g.op("Shape", [c5])
    stride = g.const(float(cfg["c5_stride"]))

    def centres(axis: int) -> str:
        n = g.op("Gather", [c5_shape, g.const(axis, np.int64)])
        rng = g.op("Range", [g.const(0, np.int64), n, g.const(1, np.int64)])
        c = g.op("Add", [g.op("Cast", [rng], to=TensorProto.FLOAT), g.const(0.5)])
        return g.op("Mul", [c, stride])

    cy, cx = centres(2), centres(3)
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

    # box head
    feats = roi_align(c5, props, n_props, cfg["box_pool"], cfg["c5_stride"])
    a = g.op("Flatten", [feats], axis=1)
    a = g.op("Relu", [g.op("Gemm", [a, F("box_fc1.W"), F("box_fc1.b")], transB=1)])
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
    mf = roi_align(c3, boxes, n_det, cfg["mask_pool"], cfg["c3_stride"])
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
    def grid_axis(length: str, lo_k: int, hi_k: int) -> str:
        n = g.op("Cast", [length], to=TensorProto.INT64)
        c = g.op("Cast", [g.op("Range", [g.const(0, np.int64), n, g.const(1, np.int64)])], to=1)
        c = g.op("Unsqueeze", [g.op("Add", [c, g.const(0.5)]), g.const([0], np.int64)])
        lo, hi = g.col(boxes, lo_k), g.col(boxes, hi_k)
        side = g.op("Max", [g.op("Sub", [hi, lo]), g.const(1e-3)])
        v = g.op("Div", [g.op("Sub", [c, lo]), side])
        return g.op("Sub", [g.op("Mul", [v, g.const(2.0)]), g.const(1.0)])

    gx = g.op("Unsqueeze", [grid_axis(W, 0, 2), g.const([1, 3], np.int64)])  # (K, 1, W, 1)
    gy = g.op("Unsqueeze", [grid_axis(H, 1, 3), g.const([2, 3], np.int64)])  # (K, H, 1, 1)
    GX = g.op("Add", [gx, g.op("Mul", [gy, g.const(0.0)])])
    GY = g.op("Add", [gy, g.op("Mul", [gx, g.const(0.0)])])
    grid = g.op("Concat", [GX, GY], axis=3)
    g.op(
        "GridSample",
        [m, grid],
        out="masks",
        align_corners=0,
        mode="bilinear",
        padding_mode="zeros",
    )

    inputs = [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "H", "W"])]
    outputs = [
        helper.make_tensor_value_info("boxes", TensorProto.FLOAT, ["K", 4]),
        helper.make_tensor_value_info("labels", TensorProto.INT64, ["K"]),
        helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["K"]),
        helper.make_tensor_value_info("masks", TensorProto.FLOAT, ["K", 1, "H", "W"]),
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


def export_onnx(model: MaskRCNN, path) -> onnx.ModelProto:
    """Build, check (full_check) and save the ONNX graph of ``model``."""
    m = build_graph(model)
    onnx.checker.check_model(m, full_check=True)
    Path(path).write_bytes(m.SerializeToString())
    return m


def main(argv=None) -> None:
    here = Path(__file__).parent / "weights"
    ap = argparse.ArgumentParser(description="Export the shapes Mask R-CNN to ONNX.")
    ap.add_argument("--weights", default=str(here / "maskrcnn.npz"))
    ap.add_argument("--out", default=str(here / "maskrcnn.onnx"))
    args = ap.parse_args(argv)
    export_onnx(MaskRCNN.load(args.weights), args.out)


if __name__ == "__main__":
    main()
