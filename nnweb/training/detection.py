"""Mask R-CNN training on an uploaded COCO dataset, through the detection engine."""

from __future__ import annotations

from .services import RunRejected

UNAVAILABLE = (
    "Training Mask R-CNN on an uploaded COCO dataset is not available yet: the detection "
    "engine has no entry point for training on arbitrary data. Use the built-in shapes "
    "model on the segmentation page, or train an MLP/CNN on a classification dataset."
)


def check_maskrcnn_available() -> None:
    raise RunRejected(UNAVAILABLE)


def train_maskrcnn(trainer, run, X, meta):  # pragma: no cover - refused at creation
    raise RuntimeError(UNAVAILABLE)
