"""Every quantity of the trace equals PyTorch autograd's (float64, 1e-10 relative)."""

import numpy as np
import pytest

pytest.importorskip("torch")

from engine import SGD, Dense, Sequential  # noqa: E402

from .helpers import random_cnn, random_mlp, rel_err, targets, torch_reference  # noqa: E402

TOL = 1e-10
NAMES = ("u", "a", "delta", "dE_da", "dE_dW", "dE_db")


def compare(net, x, y):
    tr = net.trace(x, y)
    E, losses, ref = torch_reference(net, x, y)
    assert abs(tr.loss - E) <= TOL * max(abs(E), 1e-300)
    assert rel_err(tr.losses, losses) <= TOL
    for l, (lt, r) in enumerate(zip(tr.layers, ref), start=1):
        for name in NAMES:
            ours = getattr(lt, name)
            if r[name] is None:
                assert ours is None, (l, name)
                continue
            err = rel_err(ours, r[name])
            assert err <= TOL, f"layer {l} ({type(lt.layer).__name__}) {name}: rel err {err:.3g}"


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("loss", ["cross_entropy", "half_sse"])
def test_random_mlp_matches_torch(seed, loss):
    rng = np.random.default_rng(seed)
    net = random_mlp(rng, loss, seed=seed)
    m = int(rng.integers(1, 7))
    x = rng.normal(size=(m, net.layers[0].n_in))
    compare(net, x, targets(rng, net, m, loss, one_hot=bool(seed % 2)))


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("loss", ["cross_entropy", "half_sse"])
def test_random_cnn_matches_torch(seed, loss):
    rng = np.random.default_rng(100 + seed)
    net, shape = random_cnn(rng, loss, seed=seed)
    m = int(rng.integers(1, 4))
    x = rng.normal(size=(m, *shape))
    compare(net, x, targets(rng, net, m, loss))


def test_sgd_momentum_and_l2_match_torch_optim():
    import torch

    rng = np.random.default_rng(3)
    net = Sequential([Dense(3, 4, "tanh"), Dense(4, 2, "softmax")], "cross_entropy", seed=1)
    tw = [torch.tensor(layer.W, requires_grad=True) for layer in net.layers]
    tb = [torch.tensor(layer.b, requires_grad=True) for layer in net.layers]
    opt = SGD(0.1, 4, momentum=0.9, l2=0.01)
    topt = torch.optim.SGD(
        [{"params": tw, "weight_decay": 0.01}, {"params": tb, "weight_decay": 0.0}],
        lr=0.1,
        momentum=0.9,
    )
    for _ in range(3):
        x = rng.normal(size=(4, 3))
        y = rng.integers(0, 2, 4)
        opt.step(net, net.trace(x, y))
        topt.zero_grad()
        a = torch.tensor(x)
        a = torch.tanh(a @ tw[0].T + tb[0])
        logits = a @ tw[1].T + tb[1]
        torch.nn.functional.cross_entropy(logits, torch.tensor(y)).backward()
        topt.step()
    for layer, W, b in zip(net.layers, tw, tb):
        assert rel_err(layer.W, W.detach().numpy()) < 1e-12
        assert rel_err(layer.b, b.detach().numpy()) < 1e-12
