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

    def _apply(self, net, dWs, dbs) -> dict[str, np.ndarray]:
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
                gW = gW + l2 * layer.W
            kW, kb = f"W{i + 1}", f"b{i + 1}"
            if mom:
                vW, vb = vel.get(kW), vel.get(kb)
                dW = gW * (-lr) if vW is None else vW * mom - gW * lr
                db = gb * (-lr) if vb is None else vb * mom - gb * lr
                vel[kW], vel[kb] = dW, db
            else:
                dW = gW * (-lr)
                db = gb * (-lr)
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
        grads = trace._grads
        if grads is None or len(grads[0]) != len(net.layers):
            grads = [lt.dE_dW for lt in trace.layers], [lt.dE_db for lt in trace.layers]
        return self._apply(net, grads[0], grads[1])

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
        X = net._check_x(X)
        Y = net._targets(net._check_y(Y, X))
        if len(X) == 0:
            raise ValueError("fit: X has no samples")
        rng = np.random.default_rng(seed)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # overflow shows up as a non-finite loss, reported below as TrainingDiverged
            return self._fit_loop(net, X, Y, epochs, shuffle, rng, callback)

    def _fit_loop(self, net, X, Y, epochs, shuffle, rng, callback):
        N = len(X)
        bs = self.batch_size
        propagate = net._propagate
        apply = self._apply
        history: list[float] = []
        epoch_loss: list[float] = []
        step = 0
        stopped = False
        for epoch in range(epochs):
            order = rng.permutation(N) if shuffle else None
            total = 0.0
            nb = 0
            for batch, start in enumerate(range(0, N, bs)):
                if order is None:
                    xb, yb = X[start : start + bs], Y[start : start + bs]
                else:
                    idx = order[start : start + bs]
                    xb, yb = X[idx], Y[idx]
                res = propagate(xb, yb, False)
                loss = res[0]
                if not math.isfinite(loss):
                    raise TrainingDiverged(
                        f"loss became {loss} at step {step + 1} (epoch {epoch}, batch {batch}); "
                        f"training stopped. Try a smaller learning rate (lr={self.lr})"
                    )
                apply(net, res[7], res[8])
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
