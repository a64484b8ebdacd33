"""Mask R-CNN in NumPy: RoI pooling / RoI Align and the detection model built on them."""

from engine.detection.explain import explain_roi
from engine.detection.roi import (
    roi_align,
    roi_align_backward,
    roi_align_forward,
    roi_pool,
    roi_pool_backward,
    roi_pool_forward,
)

__all__ = [
    "explain_roi",
    "roi_align",
    "roi_align_backward",
    "roi_align_forward",
    "roi_pool",
    "roi_pool_backward",
    "roi_pool_forward",
]
