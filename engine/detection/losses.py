"""Mask R-CNN's losses, each returning ``(E, dE/dinput)``.

* ``sigmoid_bce``: binary cross-entropy of sigmoid(logits) -- RPN objectness.
* ``softmax_cross_entropy``: -log softmax(logits)[label], mean over rows -- box head classes;
  the core ``engine.losses.softmax_cross_entropy`` (delta = (y_hat - t) / m) with the mean taken.
* ``smooth_l1``: 0.5 d^2 / beta for |d| < beta, |d| - 0.5 beta otherwise, summed and divided
  by ``normalizer`` -- box deltas of the RPN and of the box head.
* ``mask_loss``: per-pixel binary cross-entropy between the mask logits of each RoI's
  *true class* and its m x m target; the other classes' maps get no gradient (the notes:
  one binary m x m mask per RoI, loss over k m^2 values, only the true class counts).
"""

from __future__ import annotations

import numpy as np

from engine import losses as core_losses
from engine.activations import sigmoid


def _log_sigmoid_terms(z: np.ndarray):
    # log(1 + exp(-|z|)) is stable; bce(z, t) = max(z, 0) - z t + log(1 + exp(-|z|))
    return np.maximum(z, 0), np.log1p(np.exp(-np.abs(z)))


def sigmoid_bce(logits: np.ndarray, targets: np.ndarray, normalizer: float | None = None):
    """Sum of BCE over elements divided by ``normalizer`` (default: the count)."""
    n = float(logits.size if normalizer is None else normalizer)
    if n == 0:
        return 0.0, np.zeros_like(logits)
    pos, soft = _log_sigmoid_terms(logits)
    E = float(np.sum(pos - logits * targets + soft)) / n
    return E, ((sigmoid(logits) - targets) / n).astype(logits.dtype)  # (sigmoid - t) / n


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray):
    """Mean over rows of -log softmax(logits)[label]; returns (E, dE/dlogits)."""
    if logits.shape[0] == 0:
        return 0.0, np.zeros_like(logits)
    _, losses, delta = core_losses.softmax_cross_entropy(logits, labels)
    return float(losses.mean()), delta


def smooth_l1(pred: np.ndarray, target: np.ndarray, beta: float, normalizer: float):
    """Huber-like box loss summed over elements, divided by ``normalizer``."""
    if pred.size == 0 or normalizer == 0:
        return 0.0, np.zeros_like(pred)
    d = pred - target
    ad = np.abs(d)
    small = ad < beta
    E = float(np.sum(np.where(small, 0.5 * d * d / beta, ad - 0.5 * beta))) / normalizer
    grad = np.where(small, d / beta, np.sign(d)) / normalizer
    return E, grad.astype(pred.dtype)


def mask_loss(mask_logits: np.ndarray, labels: np.ndarray, targets: np.ndarray):
    """Mean BCE over the true class's m x m map of each RoI.

    mask_logits (R, m, m, n_fg) channels last; labels (R,) in 1..n_fg; targets (R, m, m)
    in [0, 1]. Returns (E, dE/dmask_logits) with zeros in every other class's map.
    """
    R = mask_logits.shape[0]
    grad = np.zeros_like(mask_logits)
    if R == 0:
        return 0.0, grad
    ch = labels.astype(np.int64) - 1
    z = mask_logits[np.arange(R), :, :, ch]  # (R, m, m)
    E, dz = sigmoid_bce(z, targets.astype(z.dtype))
    grad[np.arange(R), :, :, ch] = dz
    return E, grad
