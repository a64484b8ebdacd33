"""Lesson 10, Mask R-CNN: RoI pooling against RoI Align, the mask head's per-class maps."""

from __future__ import annotations

import base64
import functools
from typing import Any

import numpy as np

from engine.detection.explain import explain_roi
from engine.detection.inspect import inspect_image
from engine.detection.losses import mask_loss, sigmoid
from engine.detection.maskrcnn import MaskRCNN
from engine.detection.shapes import generate, shape_mask

from .inputs import (
    as_choice,
    as_int,
    rnd,
)


# --------------------------------------------------------------------------------------------
# Mask R-CNN: RoI pooling vs RoI Align, the mask head's per-class output
def _feature_map(H: int, W: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:H, 0:W]
    f = np.sin(yy / 2.3) + np.cos(xx / 3.1) + 0.5 * rng.random((H, W))
    return np.round(f, 2)


def roi_explain(
    size: Any = 17, output: Any = 7, method: Any = "roi_pool", sampling_ratio: Any = 2, mode="avg"
) -> dict[str, Any]:
    """A size x size RoI pooled to output x output, explained by engine.detection.explain_roi:
    bins, dropped and shared cells (RoI pooling) or sampling points and bilinear weights (RoI
    Align), over a feature map whose values are given too."""
    size = as_int(size, "size", 2, 32)
    out = as_int(output, "output", 1, 14)
    method = as_choice(method, "method", ("roi_pool", "roi_align"))
    sr = as_int(sampling_ratio, "sampling_ratio", 1, 4)
    mode = as_choice(mode, "mode", ("avg", "max"))
    side = size + (out + 1) // 2 + 2
    feat = _feature_map(side, side)
    if method == "roi_pool":
        # RoI pooling boxes include their end cell: (0, 0, size-1, size-1) is size x size cells
        res = explain_roi((0, 0, size - 1, size - 1), out, "roi_pool", feature=feat)
    else:
        res = explain_roi(
            (0, 0, size, size), out, "roi_align", feature=feat, sampling_ratio=sr, aligned=True,
            mode=mode,
        )  # fmt: skip
    res["feature"] = feat.tolist()
    res["size"] = size
    return res


def mask_head_demo(m: Any = 14, true_class: Any = 2, seed: Any = 0) -> dict[str, Any]:
    """The mask head's output for one RoI: one m x m map per foreground class. Only the true
    class's map enters the loss (mean binary cross-entropy over its m^2 pixels)."""
    m = as_int(m, "m", 4, 28)
    k = as_int(true_class, "true_class", 1, 3)
    seed = as_int(seed, "seed", 0, 10_000)
    rng = np.random.default_rng(seed)
    names = ["square", "circle", "triangle"]
    maps = np.stack(
        [shape_mask(c, m / 2, m / 2, m * 0.7, m, m).astype(float) for c in (1, 2, 3)], axis=-1
    )
    logits = 4.0 * (maps - 0.5) + rng.normal(0, 1.0, maps.shape)
    target = maps[:, :, k - 1]
    E, grad = mask_loss(logits[None], np.array([k]), target[None])
    # what penalising every class's map (all K m^2 logits) would give instead
    p = sigmoid(logits)
    eps = 1e-12
    all_maps = -(
        target[:, :, None] * np.log(p + eps) + (1 - target[:, :, None]) * np.log(1 - p + eps)
    ).mean()
    return {
        "m": m,
        "classes": names,
        "true_class": k,
        "probabilities": [rnd(p[:, :, c], 3) for c in range(3)],
        "target": rnd(target),
        "loss": float(E),
        "loss_all_maps": float(all_maps),
        "grad_nonzero_per_class": [bool(np.any(grad[0, :, :, c] != 0)) for c in range(3)],
        "outputs": 3 * m * m,
        "penalised": m * m,
    }


SAMPLE_IMAGES = 8  # sample images the inspect panel offers (engine.detection.shapes, seed 0)


@functools.lru_cache(maxsize=1)
def _shipped_model():
    # deferred: nnweb.training loads its models, and the panels run without Django too
    from nnweb.training.detection import WEIGHTS

    return MaskRCNN.load(WEIGHTS)


@functools.lru_cache(maxsize=1)
def _samples() -> np.ndarray:
    images, _targets = generate(SAMPLE_IMAGES, 0)
    return images


def _pixels(values: np.ndarray) -> str:
    """Raw uint8 pixels (H x W x 3 RGB or H x W grey), base64: the page paints them into a
    canvas itself, so no image URL (and no content-security exception) is needed."""
    return base64.b64encode(np.clip(values, 0, 255).astype(np.uint8).tobytes()).decode("ascii")


def _r64(a, digits: int):
    """Round float32 engine output as float64 (so 14.72 is sent as 14.72)."""
    return rnd(np.asarray(a, dtype=np.float64), digits)


def mask_rcnn_inspect(image: Any = 0, top: Any = 8) -> dict[str, Any]:
    """The shipped Mask R-CNN's pipeline on one sample image, stage by stage
    (engine.detection.inspect): anchors, RPN objectness and deltas, proposals before and
    after NMS, the RoI Align crop of the best proposal, class scores and refined boxes, the
    28x28 masks and their paste-back."""
    i = as_int(image, "image", 0, SAMPLE_IMAGES - 1)
    k = as_int(top, "top", 1, 20)
    rgb = _samples()[i]
    model = _shipped_model()
    s = inspect_image(model, rgb.transpose(2, 0, 1).astype(np.float32) / 255, top=k)
    det = s["detections"]
    classes = list(model.config["classes"])
    best = s["best_proposal"]
    obj = s["objectness"]
    top_idx = s["top_anchors"]
    return {
        "image": i,
        "size": [int(rgb.shape[0]), int(rgb.shape[1])],
        "pixels": _pixels(rgb),
        "classes": classes,
        "feature_shape": s["feature_shape"],
        "stride": s["stride"],
        "anchor_sizes": s["anchor_sizes"],
        "n_anchors": int(len(s["anchors"])),
        "top_anchors": [
            {
                "box": _r64(s["anchors"][a], 2),
                "objectness": float(obj.reshape(-1)[a]),
                "deltas": _r64(s["anchor_deltas"][a], 4),
            }
            for a in top_idx
        ],
        "objectness_max_per_cell": _r64(obj.max(axis=2), 4),
        "n_before_nms": s["n_before_nms"],
        "proposals_before_nms": _r64(s["proposals_before_nms"], 2),
        "n_after_nms": s["n_after_nms"],
        "proposals_after_nms": _r64(s["proposals_after_nms"][:k], 2),
        "best_proposal": best,
        "best_box": _r64(s["proposals_after_nms"][best], 2),
        "roi_crop": _r64(s["roi_crops"][best].mean(axis=0), 4),  # 7x7, mean over channels
        "class_probs": _r64(s["class_probs"][best], 4),
        "refined_boxes": {c: _r64(b, 2) for c, b in zip(classes[1:], s["refined_boxes"])},
        "detections": [
            {"box": _r64(b, 2), "label": classes[int(lab)], "score": float(sc)}
            for b, lab, sc in zip(det["boxes"], det["labels"], det["scores"])
        ],
        "mask28": _r64(s["masks28"][0], 3) if len(s["masks28"]) else None,
        "pasted_pixels": _pixels(s["pasted"][:, 0].max(axis=0) * 255) if len(s["pasted"]) else None,
    }
