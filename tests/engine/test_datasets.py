"""engine.datasets: shapes, labels, determinism, limits."""

import numpy as np
import pytest

from engine import SGD, Conv2D, Dense, Flatten, MaxPool2D, Sequential, datasets


@pytest.mark.parametrize("name", ["circle", "xor", "gauss", "spiral", "moons"])
def test_2d_classification(name):
    X, y = datasets.load(name, n=101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    assert np.abs(X).max() < 3
    X2, y2 = datasets.load(name, n=101, noise=0.1, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


@pytest.mark.parametrize("name", ["plane", "multi_gaussian", "sine"])
def test_regression(name):
    X, y = datasets.load(name, n=50, seed=0)
    assert y.shape == (50, 1) and X.shape == (50, datasets.DATASETS[name].input_shape[0])


def test_noise_free_circle_is_separable_by_radius():
    X, y = datasets.circle(300, noise=0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert (r[y == 1] <= 0.5).all() and (r[y == 0] >= 0.7).all()


def test_shapes_images_and_a_cnn_learns_them():
    X, y = datasets.shapes(150, size=16, seed=0)
    assert X.shape == (150, 1, 16, 16) and np.bincount(y).tolist() == [50, 50, 50]
    assert X.min() >= 0 and X.max() <= 1
    net = Sequential(
        [Conv2D(1, 4, 3, activation="relu"), MaxPool2D(2), Flatten(), Dense(196, 3, "softmax")],
        "cross_entropy",
        seed=0,
    )
    SGD(0.1, 10, momentum=0.9).fit(net, X, y, epochs=15, seed=0)
    assert net.evaluate(X, y)["accuracy"] > 0.8


def test_digits():
    X, y = datasets.digits()
    assert X.shape == (1797, 1, 8, 8) and X.max() == 1.0 and set(np.unique(y)) == set(range(10))
    Xf, yf = datasets.digits(n=20, seed=1, flat=True)
    assert Xf.shape == (20, 64)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n must be"):
        datasets.circle(0)
    with pytest.raises(ValueError, match="noise"):
        datasets.xor(10, noise=-1)
    with pytest.raises(ValueError, match="unknown data set 'bananas'"):
        datasets.load("bananas")


def test_moons_are_two_half_circles():
    X, y = datasets.moons(200, noise=0.0, seed=1)
    assert np.array_equal(y, np.arange(200) % 2)
    # undo the centring and scaling: class 0 on the unit upper arc, class 1 on the lower one
    P = X * 1.2 + [0.5, 0.25]
    np.testing.assert_allclose(np.hypot(P[y == 0, 0], P[y == 0, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(P[y == 1, 0] - 1, P[y == 1, 1] - 0.5), 1.0)
    assert (P[y == 0, 1] >= 0).all() and (P[y == 1, 1] <= 0.5).all()
