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


# --- slips added after a line-by-line re-read of the notes (ERRATA.md 24 onwards) ----------


def test_mask_loss_uses_only_the_true_class_map():
    """'k objects ... a loss of k m^2 is incurred': the head outputs K m^2 logits per RoI, but
    the loss is the mean BCE over the m^2 pixels of the true class's map only."""
    from engine.detection.losses import mask_loss, sigmoid

    m, K = 6, 3
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(1, m, m, K))
    target = (rng.random((m, m)) > 0.5).astype(float)
    E, grad = mask_loss(logits, np.array([2]), target[None])
    p = sigmoid(logits[0, :, :, 1])
    bce = -(target * np.log(p) + (1 - target) * np.log(1 - p)).mean()
    assert E == pytest.approx(bce)
    assert np.any(grad[0, :, :, 1] != 0)
    assert not np.any(grad[0, :, :, 0]) and not np.any(grad[0, :, :, 2])


def test_convolution_is_a_weighted_sum_not_a_percentage_of_overlap():
    """'the percentage of area of g that overlaps f': the output is the integral of the
    product f(tau) g(t - tau), a weighted sum that can be negative or exceed 1."""
    f = np.array([0.0, 0.0, 2.0, 2.0, 0.0, 0.0])
    g = np.array([1.0, -1.0])
    out = np.convolve(f, g, mode="valid")
    direct = [sum(f[tau] * g[t - tau] for tau in range(t - 1, t + 1)) for t in range(1, len(f))]
    np.testing.assert_allclose(out, direct)
    assert out.min() < 0 and out.max() > 1


def test_integral_bounds_0_to_t_only_for_causal_signals():
    """'tau < 0 is meaningless, tau > t predicts the future': only for causal f and g (zero
    for negative arguments). A centred smoothing kernel, or an image, needs the full range."""
    f = np.arange(1.0, 9.0)  # f(0..7)
    g = {-1: 0.25, 0: 0.5, 1: 0.25}  # centred, g(-1) != 0: not causal

    def full(t):
        return sum(f[tau] * g.get(t - tau, 0.0) for tau in range(len(f)))

    def truncated(t):  # the notes' bounds: tau in [0, t]
        return sum(f[tau] * g.get(t - tau, 0.0) for tau in range(0, t + 1))

    assert full(3) != pytest.approx(truncated(3))
    causal = {0: 0.5, 1: 0.5}
    assert sum(f[tau] * causal.get(3 - tau, 0.0) for tau in range(len(f))) == pytest.approx(
        sum(f[tau] * causal.get(3 - tau, 0.0) for tau in range(4))
    )


def test_rpn_is_a_conv_head_with_objectness_and_box_deltas_not_attention():
    """'Faster R-CNN incorporates an attention mechanism': the RPN is a small conv net on the
    shared feature map that scores every anchor (objectness) and regresses its offsets; the
    proposals are the top-scoring decoded anchors after NMS. No attention weights anywhere."""
    from engine.detection.anchors import make_anchors
    from engine.detection.rpn import proposals

    H = W = 4
    anchors = make_anchors(H, W, 8, sizes=(16,))
    obj = np.full((H, W, 1), -5.0)
    obj[1, 2, 0] = 5.0  # one confident anchor
    deltas = np.zeros((H, W, 4))
    deltas[1, 2] = [0.0, 0.0, np.log(2.0), 0.0]  # widen it twofold
    boxes = proposals(obj, deltas, anchors, 32, 32, pre_nms=16, post_nms=1, iou=0.7)
    a = anchors[1 * W + 2]
    cx, w = (a[0] + a[2]) / 2, a[2] - a[0]
    np.testing.assert_allclose(boxes[0, [0, 2]], np.clip([cx - w, cx + w], 0, 32))
    np.testing.assert_allclose(boxes[0, [1, 3]], a[[1, 3]])


def test_mle_weights_are_not_identifiable_hidden_units_permute():
    """'For infinite training data the MLE -> theta*': this needs a well-specified,
    identifiable model. Swapping two hidden units of a network changes the weights but not
    the function, so the likelihood has several equal maximisers; what converges is the
    fitted distribution, not the weights."""
    net = Sequential([Dense(2, 3, activation="tanh"), Dense(3, 2, activation="softmax")],
                     "cross_entropy", seed=0)  # fmt: skip
    x = np.random.default_rng(1).normal(size=(5, 2))
    y = np.array([0, 1, 1, 0, 1])
    before = net.forward(x).copy()
    loss = net.evaluate(x, y)["loss"]
    perm = [2, 0, 1]
    l1, l2 = net.layers
    l1.W, l1.b, l2.W = l1.W[perm], l1.b[perm], l2.W[:, perm]
    np.testing.assert_allclose(net.forward(x), before, atol=1e-12)
    assert net.evaluate(x, y)["loss"] == pytest.approx(loss)


def test_detection_gives_a_box_and_class_per_object_not_a_count():
    """'Object detection: detect the number of objects per image': detection returns, for
    each object, a box, a class and a score (the count is only the number of rows)."""
    from engine.detection.maskrcnn import paste_masks

    boxes = np.array([[2.0, 2.0, 10.0, 10.0], [6.0, 4.0, 14.0, 12.0]], dtype=np.float32)
    masks = np.ones((2, 4, 4), dtype=np.float32)
    pasted = paste_masks(masks, boxes, 16, 16)
    assert pasted.shape == (2, 1, 16, 16)  # one image-sized mask per detected instance
    # each instance's mask stays inside its own box: instance, not semantic, segmentation
    for k, (x0, y0, x1, y1) in enumerate(boxes.astype(int)):
        near = np.zeros((16, 16), bool)  # the box and the one pixel bilinear sampling reaches
        near[y0 - 1 : y1 + 1, x0 - 1 : x1 + 1] = True
        assert pasted[k, 0][~near].max() == 0
        assert pasted[k, 0][y0 + 1 : y1 - 1, x0 + 1 : x1 - 1].min() > 0


def test_conv_commutes_with_shifts_only_by_multiples_of_the_stride():
    """'we can first convolve the image and then translate it, or vice versa': exact for
    stride 1 (away from the border); with stride S only shifts by multiples of S commute."""
    rng = np.random.default_rng(0)
    x = np.zeros((1, 1, 12, 12))
    x[0, 0, 2:10, 2:10] = rng.normal(size=(8, 8))
    k = rng.normal(size=(1, 1, 3, 3))

    def conv(v, s):
        return conv2d_forward(v, k, np.zeros(1), s, 0)[0][0, 0]

    def shift(v, d):
        return np.roll(v, d, axis=-1)

    # stride 2: shifting the input by 2 shifts the output by 1
    # (columns 1 on: np.roll wraps the zero border into column 0)
    np.testing.assert_allclose(conv(shift(x, 2), 2)[:, 1:], shift(conv(x, 2), 1)[:, 1:], atol=1e-12)
    # by 1: no shift of the stride-2 output matches
    a = conv(shift(x, 1), 2)
    assert all(not np.allclose(a[:, 1:], shift(conv(x, 2), d)[:, 1:]) for d in range(-2, 3))


def test_conv_features_are_equivariant_not_invariant():
    """'The convolutional layers provide ... invariant feature space': a convolution's output
    moves with its input (equivariance); some invariance to small shifts comes from pooling."""
    rng = np.random.default_rng(0)
    x = np.zeros((1, 1, 10, 10))
    x[0, 0, 3:7, 3:7] = rng.normal(size=(4, 4))
    k = rng.normal(size=(1, 1, 3, 3))
    conv = lambda v: conv2d_forward(v, k, np.zeros(1), 1, 0)[0]
    shifted = np.roll(x, 1, axis=-1)
    assert not np.allclose(conv(shifted), conv(x))  # not invariant
    np.testing.assert_allclose(conv(shifted), np.roll(conv(x), 1, axis=-1), atol=1e-12)


def test_flatten_gives_a_1d_vector_of_c_h_w_values():
    """'The 10 feature vector' is the 1-D feature vector: C x H x W values in a row."""
    from engine import Flatten

    x = np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5)
    out = Flatten().forward(x)[0]
    assert out.shape == (2, 3 * 4 * 5)
    np.testing.assert_array_equal(out[1], x[1].reshape(-1))


def test_one_epoch_is_a_pass_over_every_sample():
    """'For i in range(epoch): pick a random sample': an epoch is one pass over all N
    (shuffled) samples; with m = 1 it makes N updates, not one."""
    net = Sequential([Dense(2, 1)], "half_sse", seed=0)
    X = np.random.default_rng(0).normal(size=(7, 2))
    h = SGD(0.01, batch_size=1).fit(net, X, X[:, :1], epochs=2, shuffle=True, seed=0)
    assert len(h["loss"]) == 2 * 7 and len(h["epoch_loss"]) == 2


def test_pool_stride_is_the_step_between_windows():
    """'stride: how many features the sliding window skips': the stride is the step from one
    window to the next (stride 1 skips none and the windows overlap)."""
    x = np.arange(16, dtype=float).reshape(1, 1, 4, 4)
    assert max_pool_forward(x, 2, 1)[0].shape == (1, 1, 3, 3)
    assert max_pool_forward(x, 2, 2)[0].shape == (1, 1, 2, 2)


def test_roi_coordinates_are_quantised_to_the_feature_grid_first():
    """RoI pooling quantises twice: the image-space RoI divided by the feature stride is
    rounded to whole feature cells before the bins are (the notes show only the bins). Two
    RoIs a few pixels apart at stride 16 pool identically."""
    from engine.detection.roi import roi_pool

    feat = np.random.default_rng(0).normal(size=(1, 1, 8, 8))
    a = roi_pool(feat, np.array([[16.0, 16.0, 80.0, 80.0]]), np.array([0]), 2, 1 / 16)
    b = roi_pool(feat, np.array([[20.0, 21.0, 85.0, 84.0]]), np.array([0]), 2, 1 / 16)
    np.testing.assert_array_equal(a, b)
