"""Layers and heads of the detection model: backward passes against finite differences."""

import numpy as np
import pytest

from engine.detection import heads
from engine.detection.losses import (
    mask_loss,
    sigmoid_bce,
    smooth_l1,
    softmax_cross_entropy,
)

rng0 = np.random.default_rng(0)


def numgrad(f, x, eps=1e-6, n=25, rng=rng0):
    """Central differences of scalar f at n random entries of x (float64, in place)."""
    idx = [tuple(int(rng.integers(0, s)) for s in x.shape) for _ in range(n)]
    out = []
    for i in idx:
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        out.append((fp - fm) / (2 * eps))
    return idx, np.array(out)


def check(f, x, analytic, **kw):
    idx, num = numgrad(f, x, **kw)
    got = np.array([analytic[i] for i in idx])
    np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-7)


def test_conv_matches_direct_sum_and_gradients():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6, 5, 3))
    W = rng.normal(size=(4, 3, 3, 3))
    b = rng.normal(size=4)
    u, cache = heads.conv_forward(x, W, b, pad=1)
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    ref = np.zeros((2, 6, 5, 4))
    for i in range(6):
        for j in range(5):
            ref[:, i, j] = np.einsum("nhwc,ochw->no", xp[:, i : i + 3, j : j + 3], W) + b
    np.testing.assert_allclose(u, ref, atol=1e-12)
    G = rng.normal(size=u.shape)
    dx, dW, db = heads.conv_backward(G, cache)
    E = lambda: float(np.sum(heads.conv_forward(x, W, b, pad=1)[0] * G))  # noqa: E731
    check(E, x, dx)
    check(E, W, dW)
    check(E, b, db)


def test_maxpool_and_deconv_gradients():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 5, 6, 3))
    out, cache = heads.maxpool_forward(x)
    assert out.shape == (2, 2, 3, 3)
    G = rng.normal(size=out.shape)
    dx = heads.maxpool_backward(G, cache)
    check(lambda: float(np.sum(heads.maxpool_forward(x)[0] * G)), x, dx)
    W = rng.normal(size=(3, 4, 2, 2))
    b = rng.normal(size=4)
    u, cache = heads.deconv_forward(x, W, b)
    assert u.shape == (2, 10, 12, 4)
    np.testing.assert_allclose(u[1, 3, 4], x[1, 1, 2] @ W[:, :, 1, 0] + b)
    G = rng.normal(size=u.shape)
    dx, dW, db = heads.deconv_backward(G, cache)
    E = lambda: float(np.sum(heads.deconv_forward(x, W, b)[0] * G))  # noqa: E731
    check(E, x, dx)
    check(E, W, dW)
    check(E, b, db)


def head_params(rng, C=5, P=7, hidden=8, Mc=4, K=4):
    p = {}
    for name, shape in [
        ("box_fc1", (hidden, C * P * P)),
        ("box_fc2", (hidden, hidden)),
        ("box_cls", (K, hidden)),
        ("box_reg", (4 * K, hidden)),
    ]:
        p[name + ".W"] = rng.normal(size=shape) * 0.3
        p[name + ".b"] = rng.normal(size=shape[0]) * 0.1
    for name, shape in [
        ("mask_conv1", (Mc, C, 3, 3)),
        ("mask_conv2", (Mc, Mc, 3, 3)),
        ("mask_up", (Mc, Mc, 2, 2)),
        ("mask_out", (K - 1, Mc, 1, 1)),
    ]:
        p[name + ".W"] = rng.normal(size=shape) * 0.4
        p[name + ".b"] = rng.normal(size=shape[1] if name == "mask_up" else shape[0]) * 0.1
    return p


def test_box_head_gradients_by_finite_differences():
    rng = np.random.default_rng(3)
    p = head_params(rng)
    feats = rng.normal(size=(6, 5, 7, 7))
    labels = np.array([0, 1, 3, 2, 0, 1])
    targets = rng.normal(size=(6, 4))

    def loss(with_grads=False):
        logits, deltas, cache = heads.box_head_forward(p, feats)
        E1, d_logits = softmax_cross_entropy(logits, labels)
        pos = np.flatnonzero(labels > 0)
        cols = 4 * labels[pos][:, None] + np.arange(4)
        E2, g = smooth_l1(deltas[pos[:, None], cols], targets[pos], 1.0 / 9.0, 6)
        if not with_grads:
            return E1 + E2
        d_deltas = np.zeros_like(deltas)
        d_deltas[pos[:, None], cols] = g
        grads = {}
        d_feats = heads.box_head_backward(d_logits, d_deltas, cache, grads)
        return grads, d_feats

    grads, d_feats = loss(True)
    check(loss, feats, d_feats)
    for name in ("box_fc1.W", "box_fc2.b", "box_cls.W", "box_reg.W", "box_reg.b"):
        check(loss, p[name], grads[name])


def test_mask_head_gradients_and_loss_only_on_true_class():
    rng = np.random.default_rng(4)
    p = head_params(rng)
    feats = rng.normal(size=(3, 14, 14, 5))
    labels = np.array([2, 1, 3])
    targets = rng.random(size=(3, 28, 28))

    def loss(with_grads=False):
        logits, cache = heads.mask_head_forward(p, feats)
        E, d = mask_loss(logits, labels, targets)
        if not with_grads:
            return E
        grads = {}
        return grads, heads.mask_head_backward(d, cache, grads), logits, d

    grads, d_feats, logits, d = loss(True)
    assert logits.shape == (3, 28, 28, 3)
    # gradient only in the true class's map
    for r, lab in enumerate(labels):
        others = [c for c in range(3) if c != lab - 1]
        assert np.all(d[r, :, :, others] == 0)
        assert np.any(d[r, :, :, lab - 1] != 0)
    # changing another class's logits leaves the loss unchanged
    logits2 = logits.copy()
    logits2[0, :, :, 0] += 5.0
    assert mask_loss(logits2, labels, targets)[0] == mask_loss(logits, labels, targets)[0]
    check(loss, feats, d_feats)
    for name in ("mask_conv1.W", "mask_conv2.W", "mask_up.W", "mask_up.b", "mask_out.W"):
        check(loss, p[name], grads[name])


@pytest.mark.parametrize("z", [-30.0, -1.0, 0.0, 2.0, 40.0])
def test_sigmoid_bce_is_stable_and_correct(z):
    logits = np.array([z, z])
    t = np.array([0.0, 1.0])
    E, d = sigmoid_bce(logits, t)
    s = 1 / (1 + np.exp(-z))
    if abs(z) < 20:
        assert E == pytest.approx((-np.log1p(-s) - np.log(s)) / 2, rel=1e-9)
    assert np.isfinite(E) and np.all(np.isfinite(d))
    np.testing.assert_allclose(d, (np.array([s, s]) - t) / 2, atol=1e-12)
