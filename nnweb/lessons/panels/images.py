"""Grey sample images the convolution and CNN panels start from."""

from __future__ import annotations

import functools

import numpy as np

from engine import datasets as eds

from .inputs import as_choice


def sample_image(name: str = "shapes", size: int = 32) -> np.ndarray:
    """A small grey image in [0, 1]: a square, a disc and a diagonal bar (deterministic)."""
    n = size
    yy, xx = np.mgrid[0:n, 0:n] / (n - 1)
    img = np.zeros((n, n))
    img[(xx > 0.1) & (xx < 0.45) & (yy > 0.1) & (yy < 0.45)] = 1.0
    img[(xx - 0.7) ** 2 + (yy - 0.3) ** 2 < 0.04] = 0.7
    img[np.abs(xx - yy + 0.35) < 0.06] = 0.5
    img[(yy > 0.65) & (yy < 0.9) & (xx > 0.55) & (xx < 0.9)] = 0.85
    return img


IMAGE_SOURCES = ("scene", "shapes", "digit")


def source_image(source: str, index: int = 0) -> np.ndarray:
    """A grey image in [0, 1]: the generated scene (32x32), one of the engine's shapes images
    (32x32) or one of the handwritten digits (8x8, each pixel blown up to 4x4)."""
    source = as_choice(source, "source", IMAGE_SOURCES)
    if source == "scene":
        return sample_image()
    if source == "shapes":
        X, _y = eds.shapes(n=3, size=32, seed=index)
        return X[index % 3, 0]
    X, _y, _names = _digits()
    return np.kron(X[index % len(X), 0], np.ones((4, 4)))


# --------------------------------------------------------------------------------------------
# a small CNN trained from the page (lesson 9)


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The engine's copy of scikit-learn's 8x8 digits, (1797, 1, 8, 8) in [0, 1] (cached)."""
    X, y = eds.digits()
    return X, y, [str(i) for i in range(10)]


def _shapes(n: int = 1500, size: int = 12, seed: int = 0):
    """The engine's generated squares, circles and triangles, with a little noise."""
    X, y = eds.shapes(n=n, size=size, noise=0.1, seed=seed)
    return X, y, list(eds.SHAPE_CLASSES)
