"""The one mask encoding nnweb sends over the wire: run lengths in row-major order.

``{"size": [h, w], "counts": [z0, o0, z1, o1, ...]}``: the mask read row by row, its runs of
0s and 1s alternating, starting with 0s (``z0`` may be 0), summing to ``h * w``. These are
exactly COCO's *uncompressed* RLE counts of the transposed mask (COCO reads columns):
``counts(mask) == pycocotools.mask.encode(mask.T)`` decompressed (tests/web/segmentation/
test_masks.py checks it). Row-major order is what a canvas's ImageData wants, so the front end
(``decodeRle`` in frontend/ts/panels/segmentation_overlay.ts) decodes it without a transpose.

COCO's compressed strings (``engine.detection.shapes.encode_rle``) stay the format of COCO
files (dataset uploads, the shapes set, evaluation); they never reach the browser.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class BadMask(ValueError):
    """A run-length mask that does not describe ``size`` pixels."""


def encode_mask(mask: np.ndarray) -> dict[str, Any]:
    """Row-major run lengths of a 2-D boolean mask (see the module docstring)."""
    mask = np.asarray(mask, dtype=bool)
    flat = mask.ravel()
    size = [int(mask.shape[0]), int(mask.shape[1])]
    if flat.size == 0:
        return {"size": size, "counts": []}
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat[0]:
        counts = [0, *counts]
    return {"size": size, "counts": counts}


def decode_mask(rle: dict[str, Any]) -> np.ndarray:
    """The (h, w) boolean mask of ``encode_mask``'s output; BadMask if the runs do not fit."""
    h, w = rle["size"]
    counts = rle["counts"]
    if any(n < 0 for n in counts) or sum(counts) != h * w:
        raise BadMask(f"mask runs cover {sum(counts)} pixels, expected {h} x {w}")
    out = np.zeros(h * w, dtype=bool)
    pos = 0
    for i, n in enumerate(counts):
        if i % 2:
            out[pos : pos + n] = True
        pos += n
    return out.reshape(h, w)
