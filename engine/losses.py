"""Losses by name. E is the MEAN of the per-sample errors E_n over the batch (see ERRATA.md).

* ``"cross_entropy"`` — classification, softmax output a^(L) = y_hat:
      E_n = -sum_k t_nk log y_hat_nk        (t one-hot; targets may be given as class indices)
  Computed from the logits u^(L) with log-sum-exp, so logits of +-1000 stay finite:
      E_n = log sum_k e^{u_k} - u_{t_n}
  Output delta (softmax and cross-entropy together):  delta^(L) = (y_hat - t) / m

* ``"half_sse"`` — regression, usually identity output:
      E_n = 1/2 sum_k (y_hat_nk - y_nk)^2
  dE/da^(L) = (y_hat - y) / m, and delta^(L) = dE/da^(L) * f'(u^(L))  (= (y_hat - y)/m for identity)
"""

from __future__ import annotations

import numpy as np

from .small import const, row_sums

NAMES = ("cross_entropy", "half_sse")


def log_softmax(u: np.ndarray) -> np.ndarray:
    """log softmax over axis 1, stable for large |u|."""
    s = u - u.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def cross_entropy_losses(u: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Per-sample E_n from logits u (m, K); t class indices (m,) or one-hot rows (m, K)."""
    logp = log_softmax(u)
    if t.ndim == 1:
        return -logp[np.arange(len(t)), t]
    return -(t * logp).sum(axis=1)


def cross_entropy_delta(y_hat: np.ndarray, t: np.ndarray) -> np.ndarray:
    """delta^(L) = dE/du^(L) = (y_hat - t) / m for softmax output + mean cross-entropy."""
    m = len(y_hat)
    if t.ndim == 1:
        d = y_hat.copy()
        d[np.arange(m), t] -= 1
    else:
        d = y_hat - t
    d *= const(1.0 / m, d.dtype)  # 1/m as a 0-d array: cheaper than a Python float (small.py)
    return d


def softmax_cross_entropy(u: np.ndarray, t: np.ndarray):
    """Softmax output and cross-entropy together, from the logits u (m, K) of the output layer;
    t one-hot rows (m, K) or class indices (m,).  Returns (y_hat, losses E_n, delta^(L)).

    One exp serves both: with s = u - max_k u_k,  y_hat = e^s / sum_k e^s_k  and
    E_n = log sum_k e^{s_k} - s_{t_n}  (log-sum-exp: logits of +-1000 stay finite);
    delta^(L) = cross_entropy_delta(y_hat, t) = (y_hat - t) / m.
    The sums over k are products with a vector of ones (``row_sums``, cheaper on small batches).
    """
    shift = u - np.maximum.reduce(u, axis=1, keepdims=True)  # u - max_k u_k
    y_hat = np.exp(shift)
    s = row_sums(y_hat)  # sum_k e^{s_k}, (m,)
    y_hat /= s[:, None]
    if t.ndim == 1:
        losses = np.log(s) - shift[np.arange(len(t)), t]
    else:
        losses = np.log(s) - row_sums(t * shift)
    return y_hat, losses, cross_entropy_delta(y_hat, t)


def cross_entropy_dE_da(y_hat: np.ndarray, t: np.ndarray) -> np.ndarray:
    """dE/dy_hat = -t / (m y_hat) (zero where t is zero, -inf where y_hat underflowed to 0)."""
    m = len(y_hat)
    if t.ndim == 1:
        t = one_hot(t, y_hat.shape[1], y_hat.dtype)
    out = np.zeros_like(y_hat)
    with np.errstate(divide="ignore"):
        np.divide(-t, y_hat * m, out=out, where=t != 0)
    return out


def half_sse_losses(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """E_n = 1/2 sum_k (y_hat_nk - y_nk)^2."""
    r = y_hat - y
    return 0.5 * (r * r).reshape(len(r), -1).sum(axis=1)


def half_sse_dE_da(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dE/dy_hat = (y_hat - y) / m   (the notes print y - y_hat: wrong sign, see ERRATA.md)."""
    return (y_hat - y) * (1.0 / len(y_hat))


def one_hot(idx: np.ndarray, K: int, dtype=np.float64) -> np.ndarray:
    t = np.zeros((len(idx), K), dtype=dtype)
    t[np.arange(len(idx)), idx] = 1
    return t


def check_targets(loss: str, y, m: int, out_shape: tuple, dtype) -> np.ndarray:
    """Validate targets for ``loss`` against the network output (m, *out_shape).

    Returns the targets as the engine uses them: class indices as int64 (m,), anything else as
    ``dtype`` with the output's shape. Raises ValueError saying what is wrong.
    """
    if loss == "cross_entropy":
        y = np.asarray(y)
        K = out_shape[0] if out_shape else 1
        if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1 and K != 1 and y.dtype.kind in "iub"):
            y = y.reshape(-1)
            if len(y) != m:
                raise ValueError(
                    f"targets: got {len(y)} labels for a batch of {m} samples (shape {y.shape})"
                )
            if y.dtype.kind == "f":
                if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
                    raise ValueError(
                        "targets for cross_entropy must be class indices (integers) or one-hot "
                        f"rows of shape ({m}, {K}); got non-integer values of shape {y.shape}"
                    )
            elif y.dtype.kind not in "iub":
                raise ValueError(f"targets: class indices must be integers, got dtype {y.dtype}")
            y = y.astype(np.int64)
            if y.size and (y.min() < 0 or y.max() >= K):
                raise ValueError(
                    f"targets: class index out of range [0, {K - 1}] "
                    f"(found min {y.min()}, max {y.max()}) for an output of {K} classes"
                )
            return y
        if y.shape != (m, *out_shape):
            raise ValueError(
                f"targets: expected class indices of shape ({m},) or one-hot of shape "
                f"{(m, *out_shape)}, got {y.shape}"
            )
        y = y.astype(dtype, copy=False)
        if not np.all(np.isfinite(y)):
            raise ValueError(f"targets contain NaN or inf (shape {y.shape})")
        if np.any(y < 0) or not np.allclose(y.sum(axis=1), 1.0, atol=1e-6):
            raise ValueError(
                "targets for cross_entropy given as rows must be one-hot (or probabilities): "
                f"non-negative and summing to 1 per row (shape {y.shape})"
            )
        return y
    if loss == "half_sse":
        y = np.asarray(y, dtype=dtype)
        want = (m, *out_shape)
        if y.shape != want:
            if y.size == m * int(np.prod(out_shape)) and y.ndim <= 1 + (len(out_shape) > 0):
                y = y.reshape(want)
            else:
                raise ValueError(f"targets: expected shape {want} for half_sse, got {y.shape}")
        if not np.all(np.isfinite(y)):
            raise ValueError(f"targets contain NaN or inf (shape {y.shape})")
        return y
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(NAMES)}")
