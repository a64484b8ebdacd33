"""Mask R-CNN in NumPy: RoI pooling / RoI Align and the detection model built on them."""

from engine.detection.explain import explain_roi
from engine.detection.maskrcnn import DEFAULT_CONFIG, MaskRCNN, paste_masks
from engine.detection.nms import nms
from engine.detection.roi import (
    roi_align,
    roi_align_backward,
    roi_align_forward,
    roi_pool,
    roi_pool_backward,
    roi_pool_forward,
)
from engine.detection.shapes import CLASSES, generate, generate_image, make_dataset, to_coco

__all__ = [
    "explain_roi",
    "roi_align",
    "roi_align_backward",
    "roi_align_forward",
    "roi_pool",
    "roi_pool_backward",
    "roi_pool_forward",
    "CLASSES",
    "DEFAULT_CONFIG",
    "MaskRCNN",
    "generate",
    "generate_image",
    "make_dataset",
    "nms",
    "paste_masks",
    "to_coco",
]
