"""Input checks and limits shared by the lesson panels' computations.

Every computation takes plain JSON-like values, checks them against hard limits (every request
stays well under a second) and raises ``LessonInputError`` whose message starts with the
field's name ("kernel: must be square, got shape (1, 3)"); the views turn it into a DRF
ValidationError keyed by that field.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# --------------------------------------------------------------------------------------------
# limits (protect the server: every request stays well under a second)
MAX_DETAIL_SIDE = 16  # conv / pool with every window spelled out
MAX_IMAGE_SIDE = 64  # kernel presets applied to a real image
MAX_KERNEL_SIDE = 7
MAX_FILTERS = 6
MAX_SIGNAL = 256
MAX_CHANNELS = 4
MAX_SAMPLES = 401
MAX_CLASSES = 10
MAX_POINTS = 200
MAX_CALC_SIDE = 100_000


class LessonInputError(ValueError):
    """A lesson request carried a bad field; the message says which and why."""


# --------------------------------------------------------------------------------------------
# input helpers
def as_int(value: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise LessonInputError(f"{name}: expected an integer, got {value!r}")
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        raise LessonInputError(f"{name}: expected an integer, got {value!r}") from None
    if not math.isfinite(f) or f != int(f):
        raise LessonInputError(f"{name}: expected an integer, got {value!r}")
    v = int(f)
    if not lo <= v <= hi:
        raise LessonInputError(f"{name}: must be between {lo} and {hi}, got {v}")
    return v


def as_float(value: Any, name: str, lo: float, hi: float) -> float:
    if isinstance(value, bool):
        raise LessonInputError(f"{name}: expected a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise LessonInputError(f"{name}: expected a number, got {value!r}") from None
    if not math.isfinite(v) or not lo <= v <= hi:
        raise LessonInputError(f"{name}: must be a number between {lo} and {hi}, got {value!r}")
    return v


def as_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise LessonInputError(f"{name}: must be one of {', '.join(choices)}, got {value!r}")
    return value


def as_array(value: Any, name: str, ndim: int, max_side: int, min_side: int = 1) -> np.ndarray:
    """A finite float64 array of exactly ``ndim`` dimensions, each side in [min_side, max_side]."""
    if value is None:
        raise LessonInputError(f"{name}: missing")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise LessonInputError(
            f"{name}: expected a {ndim}-D array of numbers with rows of equal length"
        ) from None
    if arr.ndim != ndim:
        raise LessonInputError(f"{name}: expected a {ndim}-D array, got shape {arr.shape}")
    for axis, side in enumerate(arr.shape):
        if not min_side <= side <= max_side:
            raise LessonInputError(
                f"{name}: side {axis} has length {side}; allowed {min_side} to {max_side} "
                f"(shape {arr.shape})"
            )
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0].tolist()
        raise LessonInputError(f"{name}: value at index {bad} is not a finite number")
    return arr


def rnd(x: np.ndarray | float, digits: int = 10) -> Any:
    """Round for JSON (keeps the worked examples' integers exact and the payload small)."""
    if isinstance(x, np.ndarray):
        return np.round(x, digits).tolist()
    return round(float(x), digits)
