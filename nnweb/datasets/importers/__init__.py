"""Pure validators/converters for uploaded datasets.

Each importer reads an uploaded file, checks it completely against the
:class:`~nnweb.datasets.limits.Limits` and returns an :class:`ImportResult`
holding NumPy arrays ready for training. Any problem raises
:class:`DatasetRejected` whose message says what is wrong and where (row,
column, file in the archive, annotation id). Nothing here touches Django or the
database; the service layer decides where results are stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


class DatasetRejected(ValueError):
    """An upload that cannot be accepted; ``str(err)`` is shown to the user."""

    def __init__(self, message: str, *, where: str | None = None):
        self.where = where
        self.detail = message
        super().__init__(f"{where}: {message}" if where else message)


@dataclass
class ImportResult:
    kind: str  # "tabular" | "image_classification" | "instance_segmentation"
    task: str  # "classification" | "regression" | "instance_segmentation"
    X: np.ndarray
    y: np.ndarray | None
    meta: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def arrays(self) -> dict[str, np.ndarray]:
        """Everything to keep in the processed .npz."""
        out = {"X": self.X, **self.extra}
        if self.y is not None:
            out["y"] = self.y
        return out


def column_stats(values: np.ndarray) -> dict[str, float]:
    """min/max/mean/std of a finite numeric column, as plain floats."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return {"min": 0.0, "max": 0.0, "mean": 0.0, "std": 0.0}
    return {
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "std": float(values.std()),
    }


def class_counts(y: np.ndarray, class_names: list[str]) -> dict[str, int]:
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=len(class_names))
    return {name: int(c) for name, c in zip(class_names, counts)}


__all__ = ["DatasetRejected", "ImportResult", "column_stats", "class_counts"]
