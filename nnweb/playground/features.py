"""Input features of the playground: the network sees a^(0) = phi(x1, x2).

A student picks any of x1, x2, x1², x2², x1·x2, sin x1, sin x2; the chosen columns, in the
order of ``FEATURES``, make a^(0). Only 2-D data has named features; data with another number
of columns goes in unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}

# How each feature is written in formulas (KaTeX) and labels.
LABELS: dict[str, str] = {
    "x1": "x_1",
    "x2": "x_2",
    "x1^2": "x_1^2",
    "x2^2": "x_2^2",
    "x1x2": "x_1 x_2",
    "sin_x1": "\\sin x_1",
    "sin_x2": "\\sin x_2",
}

DEFAULT_FEATURES = ("x1", "x2")


def ordered(names: Sequence[str]) -> list[str]:
    """The chosen names in the canonical order of FEATURES (unknown names raise ValueError)."""
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"unknown input feature {unknown[0]!r}; choose from {', '.join(FEATURES)}")
    chosen = set(names)
    return [n for n in FEATURES if n in chosen]


def transform(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """a^(0) for raw points X (N, 2): one column per chosen feature, in FEATURES order.

    X with a column count other than 2 is returned as it is (as float64).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"input points must be a 2-D array (N, D), got shape {X.shape}")
    if X.shape[1] != 2:
        return X
    x1, x2 = X[:, 0], X[:, 1]
    cols = [FEATURES[n](x1, x2) for n in ordered(names)]
    return np.stack(cols, axis=1) if cols else np.empty((len(X), 0))
