"""Sums and constants that stay cheap on small batches.

The playground trains networks such as 2-8-8-2 on batches of 10 samples, where NumPy's fixed
cost per call (a microsecond for a reduction, half of that to convert a Python float) outweighs
the arithmetic. These helpers compute the same quantities through the cheaper calls:

* ``col_sums(a)`` = sum_n a[n, :]  and  ``row_sums(a)`` = sum_k a[:, k], as the products
  1^T a and a 1 (one BLAS call each, a third of the cost of a NumPy reduction on small arrays;
  ``ndarray.dot`` skips the Python-level dispatch of ``np.dot`` and ``@``'s gufunc machinery);
* ``const(value, dtype)``: a 0-d array, which NumPy multiplies as fast as an array of the same
  shape (a Python float is converted on every call).

The results equal ``a.sum(axis=0)`` / ``a.sum(axis=1)`` up to the order of the additions.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


# lru_cache: a lookup in C, cheaper than a Python function on every call
@lru_cache(maxsize=64)
def ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of n ones of ``dtype`` (kept between calls)."""
    v = np.ones(n, dtype)
    v.flags.writeable = False
    return v


def col_sums(a: np.ndarray) -> np.ndarray:
    """sum over the rows (the batch) of a vector or a 2-D array a: 1^T a (a scalar for a
    vector, shape (a.shape[1],) for a matrix; not for more axes, where dot sums another one)."""
    return ones(len(a), a.dtype).dot(a)


def row_sums(a: np.ndarray) -> np.ndarray:
    """sum over the columns of a 2-D array: a 1, shape (a.shape[0],)."""
    return a.dot(ones(a.shape[1], a.dtype))


@lru_cache(maxsize=256)
def const(value: float, dtype: np.dtype) -> np.ndarray:
    """``value`` as a read-only 0-d array of ``dtype`` (kept between calls)."""
    c = np.array(value, dtype)
    c.flags.writeable = False
    return c
