"""Gradient check: back propagation against central finite differences.

For every parameter entry theta:  dE/dtheta ~ (E(theta + eps) - E(theta - eps)) / (2 eps).
The error reported for a parameter array P (e.g. "W2") is
    max_i |backprop_i - numeric_i| / max(max_i |backprop_i|, max_i |numeric_i|)
i.e. the worst entry relative to the array's gradient scale (entries whose gradient is ~0 would
make an entry-wise ratio meaningless). Correct back propagation gives ~1e-9 in float64.
"""

from __future__ import annotations

import numpy as np


def gradcheck(
    net, x, y, eps: float = 1e-6, max_checks: int | None = None, seed=0
) -> dict[str, float]:
    """{"W1": rel_err, "b1": rel_err, ...}. A float32 network is checked through a float64 copy.

    max_checks: check at most this many random entries per parameter (None = all of them).
    """
    from .network import Sequential

    if net.dtype != np.float64:
        clone = Sequential.from_spec({**net.spec(), "dtype": "float64"})
        clone.set_params(net.get_params())
        net = clone
    x, y, t = net.prepare(x, y)
    grads = net.make_trace(x, y, t, net.propagate(x, t)).grads()
    layers = dict(net.param_layers())
    rng = np.random.default_rng(seed)

    def loss() -> float:
        return net.propagate(x, t).loss

    out = {}
    for name, g in grads.items():
        arr = getattr(layers[int(name[1:])], name[0])
        flat = arr.reshape(-1)  # a view: the parameter itself is perturbed
        idx = np.arange(flat.size)
        if max_checks is not None and flat.size > max_checks:
            idx = rng.choice(flat.size, size=max_checks, replace=False)
        ana = g.reshape(-1)[idx]
        num = np.empty(len(idx))
        for k, i in enumerate(idx):
            old = flat[i]
            flat[i] = old + eps
            ep = loss()
            flat[i] = old - eps
            em = loss()
            flat[i] = old
            num[k] = (ep - em) / (2 * eps)
        scale = max(np.abs(ana).max(initial=0.0), np.abs(num).max(initial=0.0))
        out[name] = float(np.abs(ana - num).max(initial=0.0) / scale) if scale > 0 else 0.0
    return out
