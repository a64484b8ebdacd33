"""Image classification: a zip holding one folder per class."""

from __future__ import annotations

import os
from typing import BinaryIO

import numpy as np
from PIL import Image

from ..limits import Limits, human_bytes
from . import DatasetRejected, ImportResult, class_counts
from .images import is_grayscale, open_image, to_mode
from .safezip import SafeZip

COLOR_CHOICES = ("auto", "grayscale", "rgb")


def _class_paths(files: list[str]) -> list[tuple[str, str]]:
    """(class name, entry) pairs; a single wrapping folder (zip of a folder) is skipped."""
    split = [f.split("/") for f in files]
    if split and all(len(p) >= 3 for p in split) and len({p[0] for p in split}) == 1:
        split = [p[1:] for p in split]
    out = []
    for parts, name in zip(split, files):
        if len(parts) < 2:
            raise DatasetRejected(
                "is not inside a class folder; the archive needs one folder per class "
                "(e.g. cats/001.png, dogs/001.png)",
                where=f"file {name!r}",
            )
        out.append((parts[0], name))
    return out


def import_image_zip(
    source: str | os.PathLike | BinaryIO,
    *,
    image_size: int = 28,
    color: str = "auto",
    limits: Limits | None = None,
) -> ImportResult:
    """Decode every image, resize it to ``image_size``² and return X of shape (N, C, S, S)."""
    limits = limits or Limits()
    if color not in COLOR_CHOICES:
        raise DatasetRejected(f"colour must be one of {', '.join(COLOR_CHOICES)}, not {color!r}")
    try:
        image_size = int(image_size)
    except (TypeError, ValueError):
        raise DatasetRejected(f"image size must be a whole number, not {image_size!r}") from None
    if not 4 <= image_size <= limits.max_image_side:
        raise DatasetRejected(f"image size must be between 4 and {limits.max_image_side} pixels")
    with SafeZip(source, limits) as zf:
        pairs = _class_paths(zf.files())
        if not pairs:
            raise DatasetRejected("the archive holds no images")
        if len(pairs) > limits.max_images:
            raise DatasetRejected(
                f"the archive holds {len(pairs)} images; the limit is {limits.max_images}"
            )
        class_names = sorted({c for c, _ in pairs})
        if len(class_names) < 2:
            raise DatasetRejected(
                f"only one class folder ({class_names[0]!r}); classification needs at least 2"
            )
        if len(class_names) > limits.max_classes:
            raise DatasetRejected(
                f"{len(class_names)} class folders; the limit is {limits.max_classes}"
            )
        need = len(pairs) * 3 * image_size * image_size * 4
        if need > limits.max_array_bytes:
            raise DatasetRejected(
                f"{len(pairs)} images at {image_size}×{image_size} would need "
                f"{human_bytes(need)}; the limit is {human_bytes(limits.max_array_bytes)} "
                "(choose a smaller image size)"
            )
        index = {c: k for k, c in enumerate(class_names)}
        resized: list[Image.Image] = []
        labels = np.empty(len(pairs), dtype=np.int64)
        files = []
        gray = True
        min_side, max_side = 1 << 30, 0
        for i, (cls, name) in enumerate(pairs):
            im = open_image(zf.read(name), f"file {name!r}", limits)
            min_side = min(min_side, *im.size)
            max_side = max(max_side, *im.size)
            if color == "auto" and gray and not is_grayscale(im):
                gray = False
            im = to_mode(im, 3).resize((image_size, image_size), Image.Resampling.BILINEAR)
            resized.append(im)
            labels[i] = index[cls]
            files.append(name)
    channels = 1 if (color == "grayscale" or (color == "auto" and gray)) else 3
    X = np.empty((len(resized), channels, image_size, image_size), dtype=np.float32)
    for i, im in enumerate(resized):
        arr = np.asarray(im.convert("L") if channels == 1 else im, dtype=np.float32) / 255.0
        X[i] = arr[None] if channels == 1 else arr.transpose(2, 0, 1)
    meta = {
        "class_names": class_names,
        "image_shape": [channels, image_size, image_size],
        "n_samples": int(len(resized)),
        "files": files,
    }
    stats = {
        "classes": class_counts(labels, class_names),
        "pixel_mean": [float(v) for v in X.mean(axis=(0, 2, 3))],
        "pixel_std": [float(v) for v in X.std(axis=(0, 2, 3))],
        "original_side_min": int(min_side),
        "original_side_max": int(max_side),
    }
    return ImportResult(
        kind="image_classification", task="classification", X=X, y=labels, meta=meta, stats=stats
    )
