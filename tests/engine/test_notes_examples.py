"""The lecture notes' worked examples, computed by the engine exactly."""

import numpy as np
import pytest

from engine import AvgPool2D, Conv2D, Flatten, MaxPool2D, Sequential
from engine.layers import conv2d_forward, conv_output_size, max_pool_forward, same_pads

IMAGE = np.array(
    [
        [1, 1, 1, 0, 0],
        [0, 1, 1, 1, 0],
        [0, 0, 1, 1, 1],
        [0, 0, 1, 1, 0],
        [0, 1, 1, 0, 0],
    ],
    dtype=float,
)
FILTER = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float)


def test_conv_5x5_with_3x3_filter_gives_the_notes_feature_map():
    u, _ = conv2d_forward(IMAGE[None, None], FILTER[None, None], np.zeros(1), 1, 0)
    np.testing.assert_array_equal(u[0, 0], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])


def test_conv_layer_in_a_network_gives_the_same_feature_map():
    net = Sequential([Conv2D(1, 1, 3)], "half_sse")
    net.set_params({"W1": FILTER[None, None], "b1": [0.0]})
    np.testing.assert_array_equal(
        net.forward(IMAGE[None, None])[0, 0], [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    )


def test_max_pool_4x4_gives_6_8_3_4():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=float)
    u, _ = max_pool_forward(x[None, None], 2, 2)
    np.testing.assert_array_equal(u[0, 0], [[6, 8], [3, 4]])
    net = Sequential([MaxPool2D(2)], "half_sse")
    np.testing.assert_array_equal(net.forward(x[None, None])[0, 0], [[6, 8], [3, 4]])


def test_28x28_with_3x3_kernel_gives_26x26():
    assert Conv2D(1, 32, 3).output_shape((1, 28, 28)) == (32, 26, 26)


def test_20x20_with_3x3_kernel_gives_18x18_not_26x26():
    assert Conv2D(1, 32, 3).output_shape((1, 20, 20)) == (32, 18, 18)


@pytest.mark.parametrize(
    "H,k,s,padding,expected",
    [
        (28, 3, 1, "valid", 26),
        (28, 3, 2, "valid", 13),  # floor((28 - 3) / 2) + 1
        (7, 3, 2, "valid", 3),
        (28, 3, 1, "same", 28),
        (28, 3, 2, "same", 14),  # ceil(28 / 2)
        (7, 3, 2, "same", 4),  # ceil(7 / 2)
        (5, 2, 2, "same", 3),
        (28, 5, 1, 2, 28),  # floor((28 + 4 - 5) / 1) + 1
        (10, 3, 3, 1, 4),  # floor((10 + 2 - 3) / 3) + 1
    ],
)
def test_output_size_follows_the_corrected_formula(H, k, s, padding, expected):
    layer = Conv2D(1, 1, k, stride=s, padding=padding)
    assert layer.output_shape((1, H, H)) == (1, expected, expected)
    x = np.random.default_rng(0).normal(size=(2, 1, H, H))
    u, _ = layer.forward(x)
    assert u.shape == (2, 1, expected, expected)


def test_same_padding_puts_the_odd_pixel_at_the_end():
    assert same_pads(5, 2, 2) == (0, 1)
    assert same_pads(7, 4, 1) == (1, 2)
    assert conv_output_size(5, 2, 2, 1) == 3


def test_pool_then_flatten_shapes():
    net = Sequential([AvgPool2D(2), Flatten()], "half_sse")
    assert net.output_shapes((3, 8, 8)) == [(3, 4, 4), (48,)]
