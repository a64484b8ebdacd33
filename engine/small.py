"""Sums and constants that stay cheap on small batches.

The playground trains networks such as 2-8-8-2 on batches of 10 samples, where NumPy's fixed
cost per call (a microsecond for a reduction, half of that to convert a Python float) outweighs
the arithmetic. These helpers compute the same quantities through the cheaper calls:

* ``col_sums(a)`` = sum_n a[n, :]  and  ``row_sums(a)`` = sum_k a[:, k], as the products
  1^T a and a 1 (one BLAS call each, instead of a NumPy reduction);
* ``const(value, dtype)``: a 0-d array, which NumPy multiplies as fast as an array of the same
  shape (a Python float is converted on every call).

The results equal ``a.sum(axis=0)`` / ``a.sum(axis=1)`` up to the order of the additions.
"""

from __future__ import annotations

import numpy as np

_ONES: dict = {}
_CONSTS: dict = {}


def ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of n ones of ``dtype`` (kept between calls)."""
    key = (n, dtype.num)  # dtype.num: an int, hashed faster than the dtype
    v = _ONES.get(key)
    if v is None:
        if len(_ONES) > 64:
            _ONES.clear()
        v = _ONES[key] = np.ones(n, dtype)
        v.flags.writeable = False
    return v


def col_sums(a: np.ndarray) -> np.ndarray:
    """sum over the rows (the batch) of a 2-D array: 1^T a, shape (a.shape[1],)."""
    return np.dot(ones(a.shape[0], a.dtype), a)


def row_sums(a: np.ndarray) -> np.ndarray:
    """sum over the columns of a 2-D array: a 1, shape (a.shape[0],)."""
    return np.dot(a, ones(a.shape[1], a.dtype))


def const(value: float, dtype: np.dtype) -> np.ndarray:
    """``value`` as a read-only 0-d array of ``dtype`` (kept between calls)."""
    key = (value, dtype.num)
    c = _CONSTS.get(key)
    if c is None:
        if len(_CONSTS) > 256:
            _CONSTS.clear()
        c = _CONSTS[key] = np.array(value, dtype)
        c.flags.writeable = False
    return c
