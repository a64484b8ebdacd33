"""Property tests (hypothesis): shapes and padding arithmetic, translation equivariance,
ReLU and max pooling commute, softmax / cross-entropy stability."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import AvgPool2D, Conv2D, Dense, MaxPool2D, Sequential
from engine.activations import relu, sigmoid, softmax, softplus
from engine.layers import avg_pool_forward, conv2d_forward, max_pool_forward, same_pads

FAST = settings(max_examples=25, deadline=None)

padding = st.one_of(st.sampled_from(["valid", "same"]), st.integers(0, 3))


@FAST
@given(
    H=st.integers(1, 20),
    W=st.integers(1, 20),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    padding=padding,
    C=st.integers(1, 3),
)
def test_conv_output_shape_is_the_corrected_formula(H, W, k, s, padding, C):
    layer = Conv2D(C, 2, k, stride=s, padding=padding)
    if padding == "same":
        expect = (math.ceil(H / s), math.ceil(W / s))
    else:
        p = 0 if padding == "valid" else padding
        expect = ((H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1)
    if min(expect) < 1:
        try:
            layer.output_shape((C, H, W))
        except ValueError as exc:
            assert "does not fit" in str(exc)
            return
        raise AssertionError("expected a ValueError")
    assert layer.output_shape((C, H, W)) == (2, *expect)
    u, _ = layer.forward(np.ones((1, C, H, W)))
    assert u.shape == (1, 2, *expect)


@FAST
@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 5))
def test_same_padding_splits_with_the_odd_pixel_at_the_end(n, k, s):
    before, after = same_pads(n, k, s)
    assert after - before in (0, 1)
    assert (n + before + after - k) // s + 1 == math.ceil(n / s)


@FAST
@given(H=st.integers(2, 12), W=st.integers(2, 12), size=st.integers(1, 3), s=st.integers(1, 3))
def test_pool_output_shapes(H, W, size, s):
    if size > min(H, W):
        return
    for cls in (MaxPool2D, AvgPool2D):
        layer = cls(size, s)
        shape = layer.output_shape((2, H, W))
        assert shape == (2, (H - size) // s + 1, (W - size) // s + 1)
        assert layer.forward(np.zeros((1, 2, H, W)))[0].shape == (1, *shape)


@FAST
@given(
    dy=st.integers(-3, 3),
    dx=st.integers(-3, 3),
    k=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_convolution_commutes_with_translation(dy, dx, k, seed):
    """conv(shift(x)) = shift(conv(x)) when the content stays clear of the border."""
    rng = np.random.default_rng(seed)
    x = np.zeros((1, 2, 20, 20))
    x[:, :, 7:13, 7:13] = rng.normal(size=(1, 2, 6, 6))
    W = rng.normal(size=(3, 2, k, k))
    b = rng.normal(size=3)
    shifted = np.roll(x, (dy, dx), axis=(2, 3))
    u, _ = conv2d_forward(x, W, b, 1, 0)
    u_shifted, _ = conv2d_forward(shifted, W, b, 1, 0)
    np.testing.assert_allclose(u_shifted, np.roll(u, (dy, dx), axis=(2, 3)), rtol=0, atol=1e-12)


@FAST
@given(seed=st.integers(0, 2**16), size=st.integers(1, 3), s=st.integers(1, 3))
def test_relu_and_max_pool_commute(seed, size, s):
    x = np.random.default_rng(seed).normal(size=(2, 3, 7, 7))
    a = relu(max_pool_forward(x, size, s)[0])
    b = max_pool_forward(relu(x), size, s)[0]
    np.testing.assert_array_equal(a, b)


def test_relu_and_average_pool_do_not_commute():
    x = np.array([[[[1.0, -1.0], [-1.0, -1.0]]]])
    assert relu(avg_pool_forward(x, 2)[0]).item() == 0.0  # relu(mean) = relu(-0.5)
    assert avg_pool_forward(relu(x), 2)[0].item() == 0.25  # mean(relu) = 1/4


@FAST
@given(
    logits=st.lists(st.floats(-1000, 1000), min_size=2, max_size=6),
    label=st.integers(0, 5),
)
def test_softmax_and_cross_entropy_finite_for_huge_logits(logits, label):
    K = len(logits)
    label %= K
    u = np.array([logits])
    a = softmax(u)
    assert np.isfinite(a).all() and abs(a.sum() - 1) < 1e-12
    net = Sequential([Dense(1, K, "softmax")], "cross_entropy")
    net.set_params({"W1": np.zeros((K, 1)), "b1": u[0]})
    tr = net.trace(np.zeros((1, 1)), np.array([label]))
    assert np.isfinite(tr.loss) and tr.loss >= 0
    assert np.isfinite(tr.layers[0].delta).all()
    expected = np.logaddexp.reduce(u[0]) - u[0, label]
    assert abs(tr.loss - expected) <= 1e-12 * max(1.0, abs(expected))


def test_cross_entropy_at_plus_minus_1000():
    net = Sequential([Dense(1, 2, "softmax")], "cross_entropy")
    net.set_params({"W1": np.zeros((2, 1)), "b1": [1000.0, -1000.0]})
    tr = net.trace(np.zeros((2, 1)), np.array([0, 1]))
    np.testing.assert_allclose(tr.losses, [0.0, 2000.0])
    np.testing.assert_allclose(tr.layers[0].delta, [[0, 0], [0.5, -0.5]])


def test_sigmoid_and_softplus_stable_for_huge_inputs():
    u = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = sigmoid(u)
        p = softplus(u)
    np.testing.assert_allclose(s, [0.0, 1.9287498479639178e-22, 0.5, 1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(p, [0.0, 1.9287498479639178e-22, math.log(2), 50.0, 1000.0])
