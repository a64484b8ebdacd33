"""NumPy .npz holding ``x`` (images or feature rows) and ``y`` (labels or targets)."""

from __future__ import annotations

import io
import os
from typing import BinaryIO

import numpy as np

from ..limits import Limits, human_bytes
from . import DatasetRejected, ImportResult, class_counts, column_stats
from .safezip import SafeZip


def _load_array(zf: SafeZip, names: dict[str, str], key: str) -> np.ndarray:
    entry = names.get(key)
    if entry is None:
        found = ", ".join(sorted(n.removesuffix(".npy") for n in names.values())) or "none"
        raise DatasetRejected(
            f"the .npz has no array {key!r}; it needs 'x' (inputs) and 'y' (labels or targets)"
            f" — found: {found}"
        )
    info = zf.entries[entry]
    if info.file_size > zf.limits.max_array_bytes:
        raise DatasetRejected(
            f"array {key!r} is {human_bytes(info.file_size)}; the limit is "
            f"{human_bytes(zf.limits.max_array_bytes)}"
        )
    data = zf.read(entry)
    try:
        arr = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
    except ValueError as err:
        raise DatasetRejected(f"array {key!r} cannot be read ({err})") from None
    except Exception as err:  # malformed headers raise assorted errors
        raise DatasetRejected(f"array {key!r} is not a valid .npy array ({err})") from None
    if arr.dtype.kind not in "biuf":
        raise DatasetRejected(f"array {key!r} has dtype {arr.dtype}; numbers are needed")
    return arr


def _first_bad(arr: np.ndarray) -> str:
    bad = np.argwhere(~np.isfinite(arr))[0]
    value = arr[tuple(bad)]
    return f"[{', '.join(str(int(i)) for i in bad)}] is {value}"


def import_npz(
    source: str | os.PathLike | BinaryIO,
    *,
    task: str = "classification",
    limits: Limits | None = None,
) -> ImportResult:
    """x of shape (N, F) → tabular; (N, H, W), (N, C, H, W) or (N, H, W, C) → images."""
    limits = limits or Limits()
    if task not in ("classification", "regression"):
        raise DatasetRejected(f"problem type must be classification or regression, not {task!r}")
    with SafeZip(source, limits, what=".npz files") as zf:
        names = {}
        for entry in zf.files():
            if not entry.endswith(".npy") or "/" in entry:
                raise DatasetRejected(
                    "is not a NumPy array; an .npz holds only x.npy and y.npy",
                    where=f"archive entry {entry!r}",
                )
            names[entry[:-4].lower()] = entry
        x = _load_array(zf, names, "x")
        y = _load_array(zf, names, "y")
    if x.ndim < 2:
        raise DatasetRejected(f"x has shape {x.shape}; it needs one row per sample")
    n = x.shape[0]
    if n < 2:
        raise DatasetRejected(f"x has {n} samples; at least 2 are needed")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != n:
        raise DatasetRejected(
            f"y has shape {y.shape}; it must hold one value per row of x, shape ({n},)"
        )
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        raise DatasetRejected(f"x{_first_bad(x)}: NaN or infinity is not allowed")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise DatasetRejected(f"y{_first_bad(y)}: NaN or infinity is not allowed")

    meta: dict = {"n_samples": int(n)}
    stats: dict = {}
    if x.ndim == 2:
        kind = "tabular"
        if n > limits.max_rows:
            raise DatasetRejected(f"x has {n} rows; the limit is {limits.max_rows}")
        if x.shape[1] > limits.max_columns:
            raise DatasetRejected(f"x has {x.shape[1]} columns; the limit is {limits.max_columns}")
        X = x.astype(np.float64)
        meta["feature_names"] = [f"x{j + 1}" for j in range(X.shape[1])]
        meta["n_features"] = int(X.shape[1])
        stats["columns"] = [
            {"name": name, "role": "feature", **column_stats(X[:, j])}
            for j, name in enumerate(meta["feature_names"])
        ]
    else:
        kind = "image_classification"
        if task != "classification":
            raise DatasetRejected("image datasets are for classification")
        if n > limits.max_images:
            raise DatasetRejected(f"x holds {n} images; the limit is {limits.max_images}")
        if x.ndim == 3:
            x = x[:, None]
        elif x.ndim == 4:
            if x.shape[1] not in (1, 3) and x.shape[3] in (1, 3):
                x = x.transpose(0, 3, 1, 2)
            if x.shape[1] not in (1, 3):
                raise DatasetRejected(
                    f"x has shape {x.shape}; images need 1 or 3 channels, as (N, C, H, W) "
                    "or (N, H, W, C)"
                )
        else:
            raise DatasetRejected(f"x has shape {x.shape}; expected 2, 3 or 4 dimensions")
        h, w = x.shape[2], x.shape[3]
        if max(h, w) > limits.max_image_side:
            raise DatasetRejected(
                f"images are {h}×{w}; the limit is {limits.max_image_side} pixels a side"
            )
        if x.dtype == np.uint8:
            X = x.astype(np.float32) / 255.0
        else:
            X = x.astype(np.float32)
        meta["image_shape"] = [int(s) for s in X.shape[1:]]
        stats["pixel_mean"] = [float(v) for v in X.mean(axis=(0, 2, 3))]
        stats["pixel_std"] = [float(v) for v in X.std(axis=(0, 2, 3))]
        stats["pixel_min"] = float(X.min())
        stats["pixel_max"] = float(X.max())

    if task == "regression":
        Y = y.astype(np.float64)
        stats.setdefault("columns", []).append({"name": "y", "role": "target", **column_stats(Y)})
        meta["target"] = "y"
    else:
        if y.dtype.kind == "f":
            if not np.all(y == np.round(y)):
                bad = int(np.argwhere(y != np.round(y))[0][0])
                raise DatasetRejected(
                    f"y[{bad}] = {y[bad]} is not a whole number; class labels must be integers"
                )
        labels = np.unique(y)
        if labels.size < 2:
            raise DatasetRejected("y holds a single class; classification needs at least 2")
        if labels.size > limits.max_classes:
            raise DatasetRejected(
                f"y holds {labels.size} classes; the limit is {limits.max_classes}"
            )
        Y = np.searchsorted(labels, y).astype(np.int64)
        meta["class_names"] = [str(int(v)) for v in labels]
        meta["target"] = "y"
        stats["classes"] = class_counts(Y, meta["class_names"])
    if kind == "tabular":
        meta["preview"] = {
            "columns": meta["feature_names"] + ["y"],
            "rows": [[f"{v:g}" for v in X[i]] + [str(y[i].item())] for i in range(min(20, n))],
        }
    return ImportResult(kind=kind, task=task, X=X, y=Y, meta=meta, stats=stats)
