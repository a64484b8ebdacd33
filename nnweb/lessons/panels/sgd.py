"""Lesson 4, SGD: m = 1, m = 16 and the full batch; three learning rates."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from engine import SGD, Dense, Sequential, TrainingDiverged

from .inputs import (
    LessonInputError,
    as_float,
    as_int,
)


# --------------------------------------------------------------------------------------------
# SGD: m = 1, m = 16, full batch; learning rates
def _moons(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    half = n // 2
    t = rng.uniform(0, np.pi, n)
    upper = np.c_[np.cos(t), np.sin(t)]
    lower = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
    x = np.where(np.arange(n)[:, None] < half, upper, lower)
    x = x + rng.normal(0, 0.15, size=x.shape)
    y = (np.arange(n) >= half).astype(np.int64)
    return (x - x.mean(0)) / x.std(0), y


def _train_curve(X, Y, batch_size: int, lr: float, epochs: int, seed: int) -> dict[str, Any]:
    net = Sequential(
        [Dense(2, 8, activation="tanh"), Dense(8, 2, activation="softmax")],
        loss="cross_entropy",
        seed=seed,
    )
    opt = SGD(lr, batch_size=batch_size)
    epoch_loss = [net.evaluate(X, Y)["loss"]]
    step_loss: list[float] = []
    diverged = None
    t0 = time.perf_counter()
    for e in range(epochs):
        try:
            h = opt.fit(net, X, Y, epochs=1, shuffle=True, seed=seed * 1000 + e)
        except TrainingDiverged as exc:
            diverged = str(exc)
            break
        step_loss.extend(h["loss"])
        ev = net.evaluate(X, Y)["loss"]
        if not math.isfinite(ev):
            diverged = f"loss became {ev} after epoch {e + 1}"
            break
        epoch_loss.append(ev)
    wall = time.perf_counter() - t0
    ev = net.evaluate(X, Y) if diverged is None else {"accuracy": None}
    # thin the per-step curve to at most 400 points for the chart
    stride = max(1, len(step_loss) // 400)
    return {
        "batch_size": batch_size,
        "lr": lr,
        "epoch_loss": [float(v) if math.isfinite(v) else None for v in epoch_loss],
        "step_loss": [float(v) if math.isfinite(v) else None for v in step_loss[::stride]],
        "step_stride": stride,
        "updates": len(step_loss),
        "wall_s": wall,
        "accuracy": ev["accuracy"],
        "diverged": diverged,
    }


def sgd_compare(lr: Any = 0.3, epochs: Any = 15, seed: Any = 0, n: Any = 128) -> dict[str, Any]:
    """The same 2-8-2 network on the same two-moons data, trained with m = 1, m = 16 and the
    full batch for the same number of epochs (curves, updates, wall time)."""
    lr = as_float(lr, "lr", 1e-4, 10)
    epochs = as_int(epochs, "epochs", 1, 30)
    seed = as_int(seed, "seed", 0, 10_000)
    n = as_int(n, "n", 16, 160)
    X, Y = _moons(n, seed)
    runs = [_train_curve(X, Y, m, lr, epochs, seed) for m in (1, 16, n)]
    noise = _gradient_noise(X, Y, (1, 16, n), seed)
    for run, g in zip(runs, noise):
        run["gradient_noise"] = g
    return {"n": n, "epochs": epochs, "lr": lr, "runs": runs}


def _gradient_noise(X, Y, sizes, seed: int, draws: int = 64) -> list[float]:
    """At the starting weights: the root-mean-square distance between a random batch's mean
    gradient and the full-batch gradient, relative to the full gradient's length, for each
    batch size (shrinks roughly like 1/sqrt(m); exactly 0 for the full batch)."""
    net = Sequential(
        [Dense(2, 8, activation="tanh"), Dense(8, 2, activation="softmax")],
        loss="cross_entropy",
        seed=seed,
    )
    per = net.per_sample_gradients(X, Y)
    G = np.concatenate([v.reshape(len(X), -1) for v in per.values()], axis=1)  # (N, P)
    g = G.mean(axis=0)
    rng = np.random.default_rng(seed)
    out = []
    for m in sizes:
        d = [G[rng.choice(len(X), size=m, replace=False)].mean(axis=0) - g for _ in range(draws)]
        out.append(float(np.sqrt(np.mean([v @ v for v in d])) / np.linalg.norm(g)))
    return out


def lr_compare(
    rates: Any = (0.005, 0.5, 20.0), batch_size: Any = 16, epochs: Any = 20, seed: Any = 0
) -> dict[str, Any]:
    """One mini-batch size, three learning rates: too small, about right, too large."""
    if not isinstance(rates, list | tuple) or not 1 <= len(rates) <= 4:
        raise LessonInputError("rates: give 1 to 4 learning rates")
    lrs = [as_float(v, f"rates[{i}]", 1e-5, 100) for i, v in enumerate(rates)]
    m = as_int(batch_size, "batch_size", 4, 128)
    epochs = as_int(epochs, "epochs", 1, 30)
    seed = as_int(seed, "seed", 0, 10_000)
    X, Y = _moons(128, seed)
    runs = [_train_curve(X, Y, m, lr, epochs, seed) for lr in lrs]
    return {"batch_size": m, "epochs": epochs, "runs": runs}
