"""Stochastic gradient descent (the notes' update rule), mini-batches, momentum, L2.

For each parameter of layer l, with g = dE/dW^(l) the gradient of the batch MEAN
E = (1/m) sum_n E_n (so the notes' 1/m is inside g, see ERRATA.md):
    g  <- g + l2 * W                    (L2 weight decay on W only, i.e. E + l2/2 ||W||^2)
    v  <- momentum * v - lr * g         (v = 0 at the start; momentum 0 is plain SGD)
    W  <- W + v                         (the applied update Delta W = v; -lr * g without momentum)
batch_size 1 is the notes' plain SGD, m a mini-batch, len(X) full-batch gradient descent.
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from .small import const


class TrainingDiverged(ValueError):
    """The loss became NaN or inf during training."""


class FitInfo(dict):
    """What ``fit`` passes to its callback after every step; keys also readable as attributes:
    epoch (0-based), batch (0-based within the epoch), step (1-based count of updates so far),
    loss (E of this batch, before its update), lr, net."""

    __getattr__ = dict.__getitem__


class SGD:
    """``SGD(lr, batch_size=1, momentum=0.0, l2=0.0)``."""

    def __init__(self, lr: float, batch_size: int = 1, momentum: float = 0.0, l2: float = 0.0):
        lr = float(lr)
        if not (lr > 0 and math.isfinite(lr)):
            raise ValueError(f"SGD: lr must be a positive number, got {lr}")
        if (
            not isinstance(batch_size, int | np.integer)
            or isinstance(batch_size, bool)
            or batch_size < 1
        ):
            raise ValueError(f"SGD: batch_size must be a positive integer, got {batch_size!r}")
        momentum = float(momentum)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum}")
        l2 = float(l2)
        if not (l2 >= 0 and math.isfinite(l2)):
            raise ValueError(f"SGD: l2 must be >= 0, got {l2}")
        self.lr = lr
        self.batch_size = int(batch_size)
        self.momentum = momentum
        self.l2 = l2
        self.velocity: dict[str, np.ndarray] = {}
        self._net_ref = None

    def reset(self) -> None:
        """Forget the momentum velocities."""
        self.velocity = {}
        self._net_ref = None

    def apply(self, net, dWs, dbs) -> dict[str, np.ndarray]:
        """One update of net's parameters from gradients by layer position (``dWs[i]`` for
        layer l = i + 1, None for layers without parameters); returns {"W1": dW1, ...}."""
        if self.momentum:
            if self._net_ref is None or self._net_ref() is not net:
                self.velocity = {}
                self._net_ref = weakref.ref(net)
        lr, mom, l2, vel = self.lr, self.momentum, self.l2, self.velocity
        updates = {}
        for i, layer in enumerate(net.layers):
            gW = dWs[i]
            if gW is None:
                continue
            gb = dbs[i]
            if l2:
                gW = gW + const(l2, layer.W.dtype) * layer.W
            # lr, momentum and l2 enter as 0-d arrays of the gradient's dtype: the same numbers,
            # rounded the same way, as the Python floats, and cheaper on small arrays (small.py)
            dW = gW * const(-lr, gW.dtype)  # -lr g
            db = gb * const(-lr, gb.dtype)
            kW, kb = f"W{i + 1}", f"b{i + 1}"
            if mom:  # v <- momentum v - lr g
                vW, vb = vel.get(kW), vel.get(kb)
                if vW is not None:
                    dW += vW * const(mom, vW.dtype)
                if vb is not None:
                    db += vb * const(mom, vb.dtype)
                vel[kW], vel[kb] = dW, db
            layer.W += dW
            layer.b += db
            updates[kW] = dW
            updates[kb] = db
        return updates

    def step(self, net, trace) -> dict[str, np.ndarray]:
        """Apply one update from ``trace`` = net.trace(x, y); returns {"W1": dW1, ...}."""
        if not math.isfinite(trace.loss):
            raise TrainingDiverged(
                f"loss is {trace.loss} on this batch; not updating. Try a smaller learning rate "
                f"(lr={self.lr})"
            )
        dWs, dbs = trace.layer_grads()
        if len(dWs) != len(net.layers):
            raise ValueError(
                f"SGD.step: the trace has {len(dWs)} layers but the network {len(net.layers)}"
            )
        return self.apply(net, dWs, dbs)

    def fit(self, net, X, Y, epochs: int = 1, shuffle: bool = True, seed=None, callback=None):
        """Train ``net`` on (X, Y) for ``epochs`` passes in batches of ``batch_size``.

        X and Y are checked once. ``callback(info)`` (a FitInfo) runs after every step; returning
        False stops training (other return values, None included, continue). Raises
        TrainingDiverged (a ValueError) naming the step if the loss becomes NaN or inf.
        Returns {"loss": [E per step], "epoch_loss": [mean E per epoch], "steps": n,
        "stopped": bool}.
        """
        if not isinstance(epochs, int | np.integer) or isinstance(epochs, bool) or epochs < 0:
            raise ValueError(f"fit: epochs must be a non-negative integer, got {epochs!r}")
        X, _, Y = net.prepare(X, Y)
        if len(X) == 0:
            raise ValueError("fit: X has no samples")
        rng = np.random.default_rng(seed)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # overflow shows up as a non-finite loss, reported below as TrainingDiverged
            return self._fit_loop(net, X, Y, epochs, shuffle, rng, callback)

    def _fit_loop(self, net, X, Y, epochs, shuffle, rng, callback):
        N = len(X)
        bs = self.batch_size
        propagate = net.propagate
        apply = self.apply
        history: list[float] = []
        epoch_loss: list[float] = []
        step = 0
        stopped = False
        for epoch in range(epochs):
            # one shuffled copy per epoch; its batches are then slices (views, no copies)
            if shuffle:
                order = rng.permutation(N)
                Xe, Ye = X[order], Y[order]
            else:
                Xe, Ye = X, Y
            total = 0.0
            nb = 0
            for batch, start in enumerate(range(0, N, bs)):
                res = propagate(Xe[start : start + bs], Ye[start : start + bs])
                loss = res.loss
                if not math.isfinite(loss):
                    raise TrainingDiverged(
                        f"loss became {loss} at step {step + 1} (epoch {epoch}, batch {batch}); "
                        f"training stopped. Try a smaller learning rate (lr={self.lr})"
                    )
                apply(net, res.dWs, res.dbs)
                step += 1
                history.append(loss)
                total += loss
                nb += 1
                if callback is not None:
                    info = FitInfo(
                        epoch=epoch, batch=batch, step=step, loss=loss, lr=self.lr, net=net
                    )
                    if callback(info) is False:
                        stopped = True
                        break
            if nb:
                epoch_loss.append(total / nb)
            if stopped:
                break
        return {"loss": history, "epoch_loss": epoch_loss, "steps": step, "stopped": stopped}


class Adam:
    """Adam (Kingma & Ba) on a dict of named arrays, updated in place.

    For each parameter P with gradient g, at step t = 1, 2, ...:
        m <- beta1 m + (1 - beta1) g,      v <- beta2 v + (1 - beta2) g^2
        P <- P - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
    """

    def __init__(self, params: dict, lr: float = 1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, params: dict, grads: dict, lr: float | None = None) -> None:
        """Update ``params[k]`` in place from ``grads[k]`` (lr: this step's rate)."""
        lr = self.lr if lr is None else lr
        self.t += 1
        c1 = 1 - self.beta1**self.t
        c2 = 1 - self.beta2**self.t
        for k, g in grads.items():
            m, v = self.m[k], self.v[k]
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            params[k] -= (lr / c1) * m / (np.sqrt(v / c2) + self.eps)
