"""Synthetic shape images with instance annotations in COCO form.

Each image is 128 x 128 RGB with a plain random background colour and 1-4 shapes
(square, circle, triangle) of random colour, position and size (about 12-64 px
across). Shapes drawn later occlude earlier ones; each instance's mask is the
part of the shape that is still visible. Placement is retried so that every
instance keeps at least half of its pixels visible.

    images, coco = make_dataset(200, seed=1)

``images`` is a uint8 array (n, 128, 128, 3); ``coco`` a dict with "images",
"annotations" (RLE segmentation, bbox [x, y, w, h], area, iscrowd, category_id)
and "categories" -- ready for ``pycocotools.coco.COCO``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLASSES = ["background", "square", "circle", "triangle"]
CATEGORIES = [{"id": i, "name": name, "supercategory": "shape"} for i, name in enumerate(CLASSES)][
    1:
]
IMAGE_SIZE = 128
MIN_SIZE = 12
MAX_SIZE = 64


@dataclass
class Instance:
    """One visible object: label indexes CLASSES, mask is bool (H, W), box is x1, y1, x2, y2."""

    label: int
    mask: np.ndarray
    box: np.ndarray


def shape_mask(label: int, cx: float, cy: float, s: float, height: int, width: int) -> np.ndarray:
    """Full (unoccluded) mask of a shape of size ``s`` centred at (cx, cy); pixel centres test."""
    py = np.arange(height, dtype=np.float64)[:, None] + 0.5
    px = np.arange(width, dtype=np.float64)[None, :] + 0.5
    r = s / 2.0
    if label == 1:  # square, axis aligned, side s
        return (np.abs(px - cx) <= r) & (np.abs(py - cy) <= r)
    if label == 2:  # circle, diameter s
        return (px - cx) ** 2 + (py - cy) ** 2 <= r * r
    if label == 3:  # upright equilateral triangle, base s
        h = s * np.sqrt(3.0) / 2.0
        top, bottom = cy - h / 2.0, cy + h / 2.0
        inside = (py >= top) & (py <= bottom)
        half_w = (py - top) / h * r  # half width grows linearly from apex to base
        return inside & (np.abs(px - cx) <= half_w)
    raise ValueError(f"shape_mask: unknown label {label}, expected 1, 2 or 3")


def mask_box(mask: np.ndarray) -> np.ndarray:
    """Tight box x1, y1, x2, y2 (pixel edges) around a boolean mask."""
    ys = np.flatnonzero(mask.any(axis=1))
    xs = np.flatnonzero(mask.any(axis=0))
    return np.array([xs[0], ys[0], xs[-1] + 1, ys[-1] + 1], dtype=np.float32)


def _colour_far(rng: np.random.Generator, others: list[np.ndarray], min_dist: float) -> np.ndarray:
    for _ in range(100):
        c = rng.integers(0, 256, size=3).astype(np.float64)
        if all(np.linalg.norm(c - o) >= min_dist for o in others):
            return c
    return c


def generate_image(
    rng: np.random.Generator, size: int = IMAGE_SIZE, n_objects: int | None = None
) -> tuple[np.ndarray, list[Instance]]:
    """One image (uint8 (size, size, 3)) and its visible instances, drawn from ``rng``."""
    if n_objects is None:
        n_objects = int(rng.integers(1, 5))
    bg = rng.integers(0, 256, size=3).astype(np.float64)
    colours: list[np.ndarray] = [bg]
    full: list[np.ndarray] = []
    labels: list[int] = []
    paint: list[np.ndarray] = []
    for _ in range(n_objects):
        for _try in range(30):
            label = int(rng.integers(1, 4))
            s = float(rng.uniform(MIN_SIZE, MAX_SIZE))
            cx = float(rng.uniform(s / 2 + 1, size - s / 2 - 1))
            cy = float(rng.uniform(s / 2 + 1, size - s / 2 - 1))
            m = shape_mask(label, cx, cy, s, size, size)
            if m.sum() < 40:
                continue
            # every earlier shape must keep at least half of its pixels visible
            covered = m.copy()
            ok = True
            for j in range(len(full) - 1, -1, -1):
                vis = full[j] & ~covered
                if vis.sum() < 0.5 * full[j].sum():
                    ok = False
                    break
                covered |= full[j]
            if ok:
                full.append(m)
                labels.append(label)
                paint.append(_colour_far(rng, colours, 90.0))
                colours.append(paint[-1])
                break
    image = np.empty((size, size, 3), dtype=np.float64)
    image[:] = bg
    for m, c in zip(full, paint):
        image[m] = c
    instances = []
    above = np.zeros((size, size), dtype=bool)
    for i in range(len(full) - 1, -1, -1):
        vis = full[i] & ~above
        above |= full[i]
        instances.append(Instance(labels[i], vis, mask_box(vis)))
    instances.reverse()
    return image.astype(np.uint8), instances


def generate(n: int, seed: int, size: int = IMAGE_SIZE) -> tuple[np.ndarray, list[list[Instance]]]:
    """``n`` images and their instances from one seed (same seed, same images)."""
    rng = np.random.default_rng(seed)
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    targets = []
    for i in range(n):
        images[i], inst = generate_image(rng, size)
        targets.append(inst)
    return images, targets


def encode_rle(mask: np.ndarray) -> dict:
    """COCO RLE (counts as str) of a boolean mask."""
    from pycocotools import mask as mask_utils

    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    rle["counts"] = rle["counts"].decode("ascii")
    return rle


def to_coco(targets: list[list[Instance]], size: int = IMAGE_SIZE) -> dict:
    """COCO ground-truth dict (image ids 1..n) for a list of per-image instances."""
    images, annotations = [], []
    ann_id = 1
    for i, inst in enumerate(targets):
        image_id = i + 1
        images.append(
            {
                "id": image_id,
                "width": size,
                "height": size,
                "file_name": f"shape_{image_id:05d}.png",
            }
        )
        for obj in inst:
            x1, y1, x2, y2 = (float(v) for v in obj.box)
            annotations.append(
                {
                    "id": ann_id,
                    "image_id": image_id,
                    "category_id": int(obj.label),
                    "segmentation": encode_rle(obj.mask),
                    "area": float(obj.mask.sum()),
                    "bbox": [x1, y1, x2 - x1, y2 - y1],
                    "iscrowd": 0,
                }
            )
            ann_id += 1
    return {"images": images, "annotations": annotations, "categories": CATEGORIES}


def make_dataset(n: int, seed: int, size: int = IMAGE_SIZE) -> tuple[np.ndarray, dict]:
    """``n`` seeded images (uint8 (n, size, size, 3)) and their COCO annotations."""
    images, targets = generate(n, seed, size)
    return images, to_coco(targets, size)
