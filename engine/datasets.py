"""Small data sets for the lessons, all generated (deterministic under a seed) except digits.

Classification (2-D inputs in about [-1, 1]^2, labels 0/1 as int64 class indices):
  circle, xor, gauss (two Gaussian blobs), spiral (two interleaved spirals)
Regression (targets of shape (n, 1)):
  plane (y = linear in x1, x2), multi_gaussian (sum of Gaussian bumps over the plane),
  sine (1-D: x in [-pi, pi], y = sin x)
Images for CNNs:
  shapes: (n, 1, size, size) images of a square, a circle or a triangle (labels 0, 1, 2) at a
  random position and scale, values in [0, 1] plus optional noise
  digits: scikit-learn's bundled 8x8 handwritten digits (1797 images, labels 0-9), scaled to [0, 1]

Every generator returns (X, y) as float64 inputs and int64 labels (classification) or float64
targets (regression). ``noise`` is the standard deviation of Gaussian noise added to the inputs
(classification, images) or to the targets (regression).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAX_SAMPLES = 100_000


def _check(n: int, noise: float) -> None:
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or not 1 <= n <= MAX_SAMPLES:
        raise ValueError(f"n must be an integer between 1 and {MAX_SAMPLES}, got {n!r}")
    if not (isinstance(noise, int | float) and 0 <= noise <= 10 and math.isfinite(noise)):
        raise ValueError(f"noise must be a number between 0 and 10, got {noise!r}")


def _halves(n: int) -> tuple[int, int]:
    return n - n // 2, n // 2


# --- 2-D classification ------------------------------------------------------------------------
def circle(n: int = 200, noise: float = 0.05, seed=None):
    """Class 1: points inside radius 0.5; class 0: a ring between radius 0.7 and 1."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    n1, n0 = _halves(n)
    r = np.concatenate([rng.uniform(0, 0.5, n1), rng.uniform(0.7, 1.0, n0)])
    phi = rng.uniform(0, 2 * np.pi, n)
    X = np.stack([r * np.cos(phi), r * np.sin(phi)], axis=1) + rng.normal(0, noise, (n, 2))
    y = np.concatenate([np.ones(n1, np.int64), np.zeros(n0, np.int64)])
    return _shuffle(rng, X, y)


def xor(n: int = 200, noise: float = 0.05, seed=None):
    """Class 1 where x1 * x2 > 0 (first and third quadrants), class 0 elsewhere."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    X += np.where(X > 0, 0.05, -0.05)  # keep a small gap along the axes
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X + rng.normal(0, noise, (n, 2)), y


def gauss(n: int = 200, noise: float = 0.05, seed=None):
    """Two Gaussian blobs centred at (0.5, 0.5) (class 1) and (-0.5, -0.5) (class 0)."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    n1, n0 = _halves(n)
    spread = 0.25 + noise
    X = np.concatenate([rng.normal(0.5, spread, (n1, 2)), rng.normal(-0.5, spread, (n0, 2))])
    y = np.concatenate([np.ones(n1, np.int64), np.zeros(n0, np.int64)])
    return _shuffle(rng, X, y)


def spiral(n: int = 200, noise: float = 0.05, seed=None):
    """Two interleaved spirals (class 0 and class 1), radius growing from 0 to 1."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    n0, n1 = _halves(n)
    parts = []
    for cls, k in ((0, n0), (1, n1)):
        t = np.sqrt(rng.uniform(0, 1, k))  # more points further out, evenly spread along the arm
        phi = 3 * np.pi * t + cls * np.pi
        parts.append(np.stack([t * np.cos(phi), t * np.sin(phi)], axis=1))
    X = np.concatenate(parts) + rng.normal(0, noise, (n, 2))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return _shuffle(rng, X, y)


def moons(n: int = 200, noise: float = 0.05, seed=None):
    """Two interleaved half moons: class 0 the upper arc (cos t, sin t), class 1 the lower arc
    (1 - cos t, 0.5 - sin t), t uniform in [0, pi], centred and scaled into about [-1, 1]^2;
    classes alternate (sample i has class i % 2)."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(np.int64)
    t = rng.uniform(0, np.pi, n)
    X = np.where(
        y[:, None] == 0,
        np.stack([np.cos(t), np.sin(t)], axis=1),
        np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1),
    )
    X = (X - [0.5, 0.25]) / 1.2
    return X + noise * rng.normal(size=X.shape), y


# --- regression ------------------------------------------------------------------------------
def plane(n: int = 200, noise: float = 0.05, seed=None):
    """y = 0.6 x1 - 0.4 x2 + 0.1 + noise, x uniform in [-1, 1]^2; y shape (n, 1)."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    y = 0.6 * X[:, 0] - 0.4 * X[:, 1] + 0.1 + rng.normal(0, noise, n)
    return X, y[:, None]


def multi_gaussian(n: int = 200, noise: float = 0.05, seed=None):
    """y = sum of four Gaussian bumps (two positive, two negative) over [-1, 1]^2, plus noise."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    centres = np.array([[-0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [0.5, -0.5]])
    signs = np.array([1.0, 1.0, -1.0, -1.0])
    d2 = ((X[:, None, :] - centres[None]) ** 2).sum(axis=2)
    y = (signs * np.exp(-d2 / (2 * 0.2**2))).sum(axis=1) + rng.normal(0, noise, n)
    return X, y[:, None]


def sine(n: int = 100, noise: float = 0.05, seed=None):
    """1-D regression: x uniform in [-pi, pi] (shape (n, 1)), y = sin x + noise (shape (n, 1))."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-np.pi, np.pi, n))
    return x[:, None], (np.sin(x) + rng.normal(0, noise, n))[:, None]


# --- images ----------------------------------------------------------------------------------
SHAPE_CLASSES = ("square", "circle", "triangle")


def shape_image(kind: str, size: int, cy: float, cx: float, r: float) -> np.ndarray:
    """One size x size image (values 0/1) of a filled square, circle or triangle of "radius" r
    centred at (cy, cx) (pixel units)."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    dy, dx = yy - cy, xx - cx
    if kind == "square":
        img = (np.abs(dy) <= r) & (np.abs(dx) <= r)
    elif kind == "circle":
        img = dy * dy + dx * dx <= r * r
    elif kind == "triangle":  # apex up, base at the bottom
        img = (dy <= r) & (dy >= -r) & (np.abs(dx) <= (dy + r) / 2)
    else:
        raise ValueError(f"unknown shape {kind!r}; choose one of {', '.join(SHAPE_CLASSES)}")
    return img.astype(np.float64)


def shapes(n: int = 300, size: int = 16, noise: float = 0.0, seed=None):
    """n images (n, 1, size, size): squares (0), circles (1), triangles (2), labels balanced."""
    _check(n, noise)
    if not isinstance(size, int) or not 8 <= size <= 64:
        raise ValueError(f"size must be an integer between 8 and 64, got {size!r}")
    rng = np.random.default_rng(seed)
    y = np.arange(n, dtype=np.int64) % 3
    rng.shuffle(y)
    X = np.empty((n, 1, size, size))
    for i, cls in enumerate(y):  # image generation, not a training hot path
        r = rng.uniform(0.18, 0.32) * size
        cy, cx = rng.uniform(r + 0.5, size - r - 0.5, 2)
        X[i, 0] = shape_image(SHAPE_CLASSES[cls], size, cy, cx, r)
    if noise:
        X = np.clip(X + rng.normal(0, noise, X.shape), 0.0, 1.0)
    return X, y


def digits(n: int | None = None, seed=None, flat: bool = False):
    """scikit-learn's bundled handwritten digits: X (n, 1, 8, 8) in [0, 1] (or (n, 64) with
    flat=True), y labels 0-9. n None = all 1797; otherwise a random subset of n under seed."""
    try:
        from sklearn.datasets import load_digits  # lazy: only this data set needs scikit-learn
    except ImportError as exc:  # pragma: no cover
        raise ValueError("the digits data set needs scikit-learn installed") from exc
    d = load_digits()
    X = d.images.astype(np.float64) / 16.0
    y = d.target.astype(np.int64)
    if n is not None:
        if not isinstance(n, int | np.integer) or not 1 <= n <= len(X):
            raise ValueError(f"n must be an integer between 1 and {len(X)}, got {n!r}")
        idx = np.random.default_rng(seed).choice(len(X), size=n, replace=False)
        X, y = X[idx], y[idx]
    return (X.reshape(len(X), 64), y) if flat else (X[:, None], y)


def _shuffle(rng, X, y):
    p = rng.permutation(len(X))
    return X[p], y[p]


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    task: str  # "classification" | "regression"
    input_shape: tuple
    n_classes: int | None  # classification only
    make: Callable
    description: str


DATASETS: dict[str, DatasetInfo] = {
    d.name: d
    for d in (
        DatasetInfo("circle", "classification", (2,), 2, circle, "a disk inside a ring"),
        DatasetInfo("xor", "classification", (2,), 2, xor, "opposite quadrants share a class"),
        DatasetInfo("gauss", "classification", (2,), 2, gauss, "two Gaussian blobs"),
        DatasetInfo("spiral", "classification", (2,), 2, spiral, "two interleaved spirals"),
        DatasetInfo("moons", "classification", (2,), 2, moons, "two interleaved half moons"),
        DatasetInfo("plane", "regression", (2,), None, plane, "a tilted plane"),
        DatasetInfo(
            "multi_gaussian", "regression", (2,), None, multi_gaussian, "four Gaussian bumps"
        ),
        DatasetInfo("sine", "regression", (1,), None, sine, "y = sin x on [-pi, pi]"),
        DatasetInfo(
            "shapes", "classification", (1, 16, 16), 3, shapes, "squares, circles, triangles"
        ),
        DatasetInfo("digits", "classification", (1, 8, 8), 10, digits, "8x8 handwritten digits"),
    )
}


def load(name: str, **kwargs):
    """(X, y) of the data set called ``name`` (see DATASETS) with its generator's arguments."""
    try:
        info = DATASETS[name]
    except KeyError:
        raise ValueError(
            f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}"
        ) from None
    return info.make(**kwargs)
