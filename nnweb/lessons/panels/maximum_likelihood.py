"""Lesson 1, maximum likelihood: -log p of the true class, the Gaussian NLL."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .inputs import (
    MAX_CLASSES,
    MAX_POINTS,
    LessonInputError,
    as_array,
    as_float,
    as_int,
    rnd,
)

# --------------------------------------------------------------------------------------------
# likelihood
# The lesson's worked example: three classes, the first true, E = -log 0.7 = 0.357.
NOTES_PROBS = (0.7, 0.2, 0.1)
# The Gaussian panel's six targets and predictions.
GAUSS_Y = (1.2, 0.4, 2.1, 1.6, 0.9, 1.9)
GAUSS_Y_HAT = (1.0, 0.7, 1.8, 1.5, 1.2, 2.2)


def nll_classification(probs: Any = NOTES_PROBS, true_class: Any = 0) -> dict[str, Any]:
    """-log p of the true class for a predicted distribution (normalised if it does not sum
    to 1), and the cross-entropy -sum_k t_k log p_k that equals it."""
    p = as_array(probs, "probs", 1, MAX_CLASSES, 2)
    if np.any(p < 0):
        raise LessonInputError("probs: probabilities cannot be negative")
    total = p.sum()
    if total <= 0:
        raise LessonInputError("probs: at least one probability must be positive")
    p = p / total
    k = as_int(true_class, "true_class", 0, len(p) - 1)
    t = np.zeros_like(p)
    t[k] = 1
    with np.errstate(divide="ignore"):
        logp = np.log(p)
    nll = float(-logp[k])
    terms = np.where(t > 0, -t * logp, 0.0)
    return {
        "probs": rnd(p),
        "true_class": k,
        "one_hot": rnd(t),
        "nll": nll if math.isfinite(nll) else None,
        "cross_entropy_terms": [float(v) if math.isfinite(v) else None for v in terms],
        "likelihood": float(p[k]),
        "normalised_from": float(total),
    }


def gaussian_nll(y: Any = GAUSS_Y, y_hat: Any = GAUSS_Y_HAT, sigma: Any = 1.0) -> dict[str, Any]:
    """Gaussian NLL = 1/2 SSE / sigma^2 + N/2 log(2 pi sigma^2); the notes keep only 1/2 SSE."""
    yv = as_array(y, "y", 1, MAX_POINTS)
    yh = as_array(y_hat, "y_hat", 1, MAX_POINTS)
    if yv.shape != yh.shape:
        raise LessonInputError(f"y_hat: length {len(yh)} differs from y's length {len(yv)}")
    s = as_float(sigma, "sigma", 1e-3, 1e3)
    N = len(yv)
    r = yv - yh
    half_sse = 0.5 * float(r @ r)
    const = 0.5 * N * math.log(2 * math.pi * s * s)
    dens = np.exp(-(r**2) / (2 * s * s)) / math.sqrt(2 * math.pi * s * s)
    with np.errstate(divide="ignore"):
        nll_direct = float(-np.log(dens).sum())
    return {
        "N": N,
        "sigma": s,
        "half_sse": half_sse,
        "scaled_half_sse": half_sse / (s * s),
        "constant": const,
        "nll": half_sse / (s * s) + const,
        "nll_direct": nll_direct if math.isfinite(nll_direct) else None,
        "residuals": rnd(r),
    }


MLE_SIZES = (2, 3, 5, 10, 20, 50, 100)


def mle_variance(
    sigma: Any = 1.0, sizes: Any = MLE_SIZES, repeats: Any = 2000, seed: Any = 0
) -> dict[str, Any]:
    """The MLE of a Gaussian's variance, sigma_hat^2 = (1/N) sum (x_n - x_bar)^2, by
    simulation: for each N draw ``repeats`` samples of size N, estimate, and average. The mean
    estimate is (N - 1)/N sigma^2 (biased low), the bias shrinks as N grows and the spread of
    the estimates shrinks too (consistency)."""
    s = as_float(sigma, "sigma", 0.1, 10.0)
    if not isinstance(sizes, list | tuple) or not 1 <= len(sizes) <= 12:
        raise LessonInputError("sizes: give 1 to 12 sample sizes")
    Ns = [as_int(v, f"sizes[{i}]", 2, 1000) for i, v in enumerate(sizes)]
    R = as_int(repeats, "repeats", 10, 5000)
    rng = np.random.default_rng(as_int(seed, "seed", 0, 2**31 - 1))
    rows = []
    for N in Ns:
        x = rng.normal(0.0, s, size=(R, N))
        mle = x.var(axis=1)  # ddof=0: the maximum-likelihood estimate
        rows.append(
            {
                "N": N,
                "mean_mle": float(mle.mean()),
                "expected_mle": (N - 1) / N * s * s,
                "mean_unbiased": float(mle.mean() * N / (N - 1)),
                "sd_mle": float(mle.std()),
                "bias": float(mle.mean() - s * s),
            }
        )
    return {"sigma": s, "variance": s * s, "repeats": R, "rows": rows}
