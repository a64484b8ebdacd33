"""One test per slip of the lecture notes listed in engine/ERRATA.md."""

import math

import numpy as np
import pytest

from engine import SGD, Conv2D, Dense, MaxPool2D, Sequential
from engine.activations import derivative, relu, sigmoid, tanh
from engine.layers import conv2d_forward, max_pool_forward


def test_sum_over_i_in_u_and_w_ji_layout():
    """u_j = sum_i w_ji a_i + b_j (the notes leave the sum implicit); W[j, i] = w_ji and
    dE/dw_ji = delta_j a_i (the summary writes w_ij)."""
    net = Sequential([Dense(3, 2)], "half_sse", seed=0)
    x = np.array([[1.0, 2.0, 3.0]])
    W, b = net.layers[0].W, net.layers[0].b
    u = net.trace(x, np.zeros((1, 2))).layers[0].u
    for j in range(2):
        assert u[0, j] == pytest.approx(sum(W[j, i] * x[0, i] for i in range(3)) + b[j])
    tr = net.trace(x, np.zeros((1, 2)))
    lt = tr.layers[0]
    assert lt.dE_dW[1, 2] == pytest.approx(lt.delta[0, 1] * x[0, 2])


def test_a0_is_the_input_x():
    """'a^(0) = sc' is x_n: the output of layer 0 is the input."""
    net = Sequential([Dense(2, 2)], "half_sse", seed=0)
    x = np.array([[0.5, -0.5]])
    tr = net.trace(x, np.zeros((1, 2)))
    np.testing.assert_array_equal(tr.a0, x)


def test_samples_are_vectors_in_R_D():
    """'x_n in R' is x_n in R^D: a sample is a row of D numbers."""
    net = Sequential([Dense(4, 1)], "half_sse", seed=0)
    assert net.forward(np.ones((1, 4))).shape == (1, 1)
    with pytest.raises(ValueError, match="4 input features"):
        net.forward(np.ones((1, 1)))


def test_regression_output_delta_is_yhat_minus_y():
    """Notes: dE/du^(L) = y - y_hat. Correct: y_hat - y (divided by m for the mean E)."""
    net = Sequential([Dense(1, 1)], "half_sse", seed=0)
    net.set_params({"W1": [[1.0]], "b1": [0.0]})
    x, y = np.array([[2.0], [1.0]]), np.array([[0.0], [3.0]])
    tr = net.trace(x, y)
    np.testing.assert_allclose(tr.layers[0].delta, (x - y) / 2)  # y_hat = x here
    # a step against this delta lowers the loss; against the notes' sign it raises it
    w = 1.0
    g = float(((x - y) * x).mean())
    E = lambda w: float((0.5 * (w * x - y) ** 2).mean())  # noqa: E731
    assert E(w - 0.1 * g) < E(w) < E(w + 0.1 * g)


def test_classification_output_delta_is_yhat_minus_t():
    """Notes: '-y_hat/y_hat'. Correct: dE/dy_hat_k = -t_k / y_hat_k and, through softmax,
    delta^(L) = y_hat - t (over m for the mean)."""
    net = Sequential([Dense(2, 3, "softmax")], "cross_entropy", seed=0)
    x = np.array([[0.3, -1.2]])
    tr = net.trace(x, np.array([2]))
    y_hat = tr.layers[0].a
    t = np.array([[0.0, 0.0, 1.0]])
    np.testing.assert_allclose(tr.layers[0].delta, y_hat - t, atol=1e-15)
    np.testing.assert_allclose(tr.layers[0].dE_da, -t / y_hat)


def test_delta_uses_f_prime_of_u_not_of_a():
    """Notes: delta_j = f'(a_j) sum ... Correct: f'(u_j)."""
    net = Sequential([Dense(2, 3, "sigmoid"), Dense(3, 1)], "half_sse", seed=1)
    x, y = np.array([[1.0, -2.0]]), np.array([[0.5]])
    tr = net.trace(x, y)
    h = tr.layers[0]
    back = tr.layers[1].delta @ net.layers[1].W  # sum_k delta_k^(2) w_kj^(2)
    np.testing.assert_allclose(h.delta, derivative("sigmoid", h.u) * back, atol=1e-15)
    assert not np.allclose(h.delta, derivative("sigmoid", h.a) * back)


def test_hidden_delta_sums_over_the_next_layer_index():
    """Notes mix h and k in 'sum_h delta_h^(l+1) w_kj^(l+1)'; it is sum_k delta_k w_kj."""
    net = Sequential([Dense(2, 3, "tanh"), Dense(3, 4, "tanh"), Dense(4, 2)], "half_sse", seed=2)
    tr = net.trace(np.array([[0.2, 0.7]]), np.array([[1.0, 0.0]]))
    d3, W3 = tr.layers[2].delta, net.layers[2].W
    u2 = tr.layers[1].u
    for j in range(4):
        s = sum(d3[0, k] * W3[k, j] for k in range(2))
        assert tr.layers[1].dE_da[0, j] == pytest.approx(s)
        assert tr.layers[1].delta[0, j] == pytest.approx((1 - np.tanh(u2[0, j]) ** 2) * s)


def test_loss_is_the_mean_of_per_sample_errors():
    """Notes: E = sum_n E_n. The engine uses the mean (1/m) sum_n E_n."""
    net = Sequential([Dense(2, 2, "softmax")], "cross_entropy", seed=0)
    x = np.random.default_rng(0).normal(size=(5, 2))
    tr = net.trace(x, [0, 1, 1, 0, 1])
    assert tr.loss == pytest.approx(tr.losses.sum() / 5)


def test_minibatch_update_uses_the_mean_gradient():
    """Notes define the mini-batch gradient with 1/m, then update with the bare sum."""
    net = Sequential([Dense(2, 1)], "half_sse", seed=0)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    per = net.per_sample_gradients(x, y)["W1"]
    W0 = net.layers[0].W.copy()
    SGD(0.1, 8).step(net, net.trace(x, y))
    np.testing.assert_allclose(net.layers[0].W, W0 - 0.1 * per.mean(axis=0))
    assert not np.allclose(net.layers[0].W, W0 - 0.1 * per.sum(axis=0))


def test_half_sse_is_half_the_rss():
    """The notes call (1/2) sum (y - y_hat)^2 'the RSS'; it is half of it (and the Gaussian
    log-likelihood is -(1/(2 sigma^2)) sum (...)^2 + const, the constant and sigma^2 dropped)."""
    net = Sequential([Dense(1, 2)], "half_sse", seed=0)
    x, y = np.ones((3, 1)), np.zeros((3, 2))
    tr = net.trace(x, y)
    rss = ((tr.layers[0].a - y) ** 2).sum(axis=1)
    np.testing.assert_allclose(tr.losses, rss / 2)


def test_cross_entropy_is_the_categorical_not_bernoulli_likelihood():
    """'Labels follow a Bernoulli distribution (dice, ...)': K classes follow a categorical
    distribution; Bernoulli is the K = 2 case."""
    net = Sequential([Dense(1, 3, "softmax")], "cross_entropy", seed=0)
    tr = net.trace(np.ones((1, 1)), [1])
    p = tr.layers[0].a[0]
    assert tr.loss == pytest.approx(-math.log(p[1]))  # -log of the categorical pmf
    net2 = Sequential([Dense(1, 2, "softmax")], "cross_entropy", seed=0)
    tr2 = net2.trace(np.ones((1, 1)), [1])
    q = tr2.layers[0].a[0, 1]
    assert tr2.loss == pytest.approx(-(1 * math.log(q) + 0 * math.log(1 - q)))


def test_mle_is_consistent_but_not_unbiased():
    """'The MLE is an unbiased estimator': the Gaussian variance MLE has E = (N-1)/N sigma^2."""
    rng = np.random.default_rng(0)
    N, sigma2 = 4, 1.0
    samples = rng.normal(0.0, 1.0, size=(200_000, N))
    mle = samples.var(axis=1)  # (1/N) sum (x - mean)^2, the maximum likelihood estimate
    assert mle.mean() == pytest.approx((N - 1) / N * sigma2, abs=0.01)
    assert abs(mle.mean() - sigma2) > 0.2
    big = rng.normal(0.0, 1.0, size=100_000).var()  # consistent: -> sigma^2 as N grows
    assert big == pytest.approx(sigma2, abs=0.02)


def test_tanh_formula_in_the_notes_is_correct():
    """tanh(x) = 2 / (1 + e^(-2x)) - 1 is right (not a slip)."""
    x = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(tanh(x), 2 / (1 + np.exp(-2 * x)) - 1, atol=1e-15)
    np.testing.assert_allclose(tanh(x), 2 * sigmoid(2 * x) - 1, atol=1e-15)


def test_relu_is_unbounded():
    """'Activations map values between two finite values': sigmoid and tanh do, ReLU does not."""
    assert relu(np.array([1e6]))[0] == 1e6


def test_conv_layer_is_cross_correlation():
    """The notes' integral is a true convolution (flipped kernel); CNN layers, and the notes'
    worked example, compute cross-correlation. They differ for a non-symmetric kernel."""
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    k = np.array([[[[1.0, 2.0], [0.0, 0.0]]]])
    u, _ = conv2d_forward(x, k, np.zeros(1), 1, 0)
    assert u[0, 0, 0, 0] == 0 * 1 + 1 * 2  # x[0,0]*k[0,0] + x[0,1]*k[0,1]: no flip
    flipped, _ = conv2d_forward(x, k[:, :, ::-1, ::-1].copy(), np.zeros(1), 1, 0)
    assert flipped[0, 0, 0, 0] != u[0, 0, 0, 0]


def test_output_width_formula_counterexample():
    """Notes: (W - K + 1) / S. Correct: floor((W - K + 2P) / S) + 1. W=12, K=3, S=3: the notes
    give 10/3 = 3.33; there are 4 positions (0, 3, 6, 9)."""
    assert Conv2D(1, 1, 3, stride=3).output_shape((1, 12, 12)) == (1, 4, 4)
    assert Conv2D(1, 1, 3, stride=1, padding=1).output_shape((1, 28, 28)) == (1, 28, 28)


def test_pooling_has_no_parameters_and_shrinks_the_next_layer():
    """'Pooling reduces overfitting as there are fewer parameters': pooling has none; it shrinks
    the layers after it."""
    with_pool = Sequential([Conv2D(1, 4, 3), MaxPool2D(2)], "half_sse")
    assert with_pool.num_params == 4 * 9 + 4
    assert with_pool.output_shapes((1, 28, 28))[-1] == (4, 13, 13)  # 676 features, not 2704


def test_pooling_gives_small_translation_invariance_not_rotation_invariance():
    """'Pooling makes a model invariant to image rotation': max pooling tolerates shifts inside
    a window; a rotation changes its output."""
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 0, 0] = 1.0
    x[0, 0, 0, 2] = 2.0
    shifted = np.roll(x, 1, axis=3)  # both marks stay in their 2x2 windows
    assert np.array_equal(max_pool_forward(x)[0], max_pool_forward(shifted)[0])
    rotated = np.rot90(x, axes=(2, 3)).copy()
    assert not np.array_equal(max_pool_forward(x)[0], max_pool_forward(rotated)[0])


def test_roi_stride_arithmetic():
    """17 / 7 = 2.43 (the notes print 2.42); 18 / 7 = 2.57."""
    assert round(17 / 7, 2) == 2.43 and round(18 / 7, 2) == 2.57
