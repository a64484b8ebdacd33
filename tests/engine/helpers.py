"""Shared helpers for the engine tests: random architectures and a PyTorch float64 oracle."""

from __future__ import annotations

import numpy as np

from engine import AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, Sequential

ACTS = ["identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "softmax"]


def random_mlp(rng, loss: str, seed: int = 0) -> Sequential:
    depth = int(rng.integers(1, 4))
    sizes = [int(s) for s in rng.integers(1, 6, size=depth + 1)]
    if loss == "cross_entropy":
        sizes[-1] = max(sizes[-1], 2)
    layers = []
    for i in range(depth):
        last = i == depth - 1
        act = "softmax" if last and loss == "cross_entropy" else str(rng.choice(ACTS))
        alpha = float(rng.uniform(0.01, 0.3))
        layers.append(Dense(sizes[i], sizes[i + 1], act, alpha=alpha))
    return Sequential(layers, loss, seed=seed)


def random_cnn(rng, loss: str, seed: int = 0) -> tuple[Sequential, tuple]:
    """A small conv net and its per-sample input shape."""
    C = int(rng.integers(1, 3))
    H, W = int(rng.integers(6, 10)), int(rng.integers(6, 10))
    layers = []
    shape = (C, H, W)
    for _ in range(int(rng.integers(1, 3))):
        k = int(rng.integers(1, 4))
        s = int(rng.integers(1, 3))
        padding = ["valid", "same", int(rng.integers(0, 2))][int(rng.integers(0, 3))]
        out = int(rng.integers(1, 4))
        act = str(rng.choice(ACTS))
        conv = Conv2D(
            shape[0],
            out,
            k,
            stride=s,
            padding=padding,
            activation=act,
            alpha=float(rng.uniform(0.01, 0.3)),
        )
        try:
            new = conv.output_shape(shape)
        except ValueError:
            continue
        layers.append(conv)
        shape = new
        if min(shape[1:]) >= 2 and rng.random() < 0.7:
            size = 2
            stride = [None, 1][int(rng.integers(0, 2))]
            pool = (MaxPool2D if rng.random() < 0.6 else AvgPool2D)(size, stride)
            layers.append(pool)
            shape = pool.output_shape(shape)
    if not layers:
        layers.append(Conv2D(C, 2, 1))
        shape = (2, H, W)
    layers.append(Flatten())
    n = int(np.prod(shape))
    K = int(rng.integers(2, 4))
    act = "softmax" if loss == "cross_entropy" else str(rng.choice(ACTS))
    layers.append(Dense(n, K, act))
    return Sequential(layers, loss, seed=seed), (C, H, W)


def targets(rng, net: Sequential, m: int, loss: str, one_hot: bool = False):
    K = net.layers[-1].n_out
    if loss == "cross_entropy":
        y = rng.integers(0, K, size=m)
        return np.eye(K)[y] if one_hot else y
    return rng.normal(size=(m, K))


def rel_err(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, (a.shape, b.shape)
    scale = max(np.abs(b).max(initial=0.0), 1e-300)
    return float(np.abs(a - b).max(initial=0.0) / scale)


def torch_reference(net: Sequential, x: np.ndarray, y: np.ndarray):
    """Forward + autograd in torch float64 with the same parameters. Returns (loss, losses,
    layers) where layers[l-1] = dict(u, a, delta, dE_da, dE_dW, dE_db) as numpy arrays."""
    import torch
    import torch.nn.functional as F

    a = torch.tensor(x, dtype=torch.float64)
    params, us, as_ = [], [], []
    for layer in net.layers:
        W = b = None
        if isinstance(layer, Dense):
            W = torch.tensor(layer.W, requires_grad=True)
            b = torch.tensor(layer.b, requires_grad=True)
            u = a @ W.T + b
        elif isinstance(layer, Conv2D):
            pt, pb, pl, pr = layer.pads(a.shape[2], a.shape[3])
            W = torch.tensor(layer.W, requires_grad=True)
            b = torch.tensor(layer.b, requires_grad=True)
            u = F.conv2d(F.pad(a, (pl, pr, pt, pb)), W, b, stride=layer.stride)
        elif isinstance(layer, MaxPool2D):
            u = F.max_pool2d(a, layer.size, layer.step)
        elif isinstance(layer, AvgPool2D):
            u = F.avg_pool2d(a, layer.size, layer.step)
        elif isinstance(layer, Flatten):
            u = a.flatten(1)
        else:  # pragma: no cover
            raise AssertionError(layer)
        act = layer.activation
        if act == "identity":
            a = u
        elif act == "relu":
            a = F.relu(u)
        elif act == "leaky_relu":
            a = F.leaky_relu(u, layer.alpha)
        elif act == "sigmoid":
            a = torch.sigmoid(u)
        elif act == "tanh":
            a = torch.tanh(u)
        elif act == "softplus":
            a = torch.logaddexp(torch.zeros_like(u), u)
        elif act == "softmax":
            a = torch.softmax(u, dim=1)
        u.retain_grad()
        a.retain_grad()
        params.append((W, b))
        us.append(u)
        as_.append(a)
    m = len(x)
    yt = torch.tensor(y)
    if net.loss == "cross_entropy":
        t = F.one_hot(yt, a.shape[1]).double() if yt.ndim == 1 else yt.double()
        losses = -(t * torch.log(a)).sum(dim=1)
    else:
        losses = 0.5 * ((a - yt.double()) ** 2).reshape(m, -1).sum(dim=1)
    E = losses.mean()
    E.backward()
    out = []
    for (W, b), u, a in zip(params, us, as_):
        out.append(
            {
                "u": u.detach().numpy(),
                "a": a.detach().numpy(),
                "delta": u.grad.numpy(),
                "dE_da": a.grad.numpy(),
                "dE_dW": None if W is None else W.grad.numpy(),
                "dE_db": None if b is None else b.grad.numpy(),
            }
        )
    return float(E.detach()), losses.detach().numpy(), out
