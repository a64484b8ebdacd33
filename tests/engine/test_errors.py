"""Bad input raises a ValueError naming the layer (index and type) and the shapes."""

import numpy as np
import pytest

from engine import SGD, Conv2D, Dense, Flatten, MaxPool2D, Sequential, TrainingDiverged


def mlp():
    return Sequential([Dense(2, 3, "tanh"), Dense(3, 2, "softmax")], "cross_entropy", seed=0)


def test_mismatched_dense_sizes_at_construction():
    with pytest.raises(ValueError, match=r"layer 2 \(Dense\): n_in=4 but layer 1 outputs 3"):
        Sequential([Dense(2, 3), Dense(4, 1)], "half_sse")


def test_wrong_input_width_names_layer_and_shapes():
    with pytest.raises(ValueError, match=r"layer 1 \(Dense\).*2 input features.*\(5,\).*\(4, 5\)"):
        mlp().forward(np.zeros((4, 5)))


def test_single_sample_without_batch_axis():
    with pytest.raises(ValueError, match=r"layer 1 \(Dense\).*one sample per row.*\(2,\)"):
        mlp().forward(np.zeros(2))


def test_empty_batch_and_unreadable_input():
    with pytest.raises(ValueError, match=r"layer 1 \(Dense\): the batch is empty"):
        mlp().trace(np.zeros((0, 2)), [])
    with pytest.raises(ValueError, match="cannot be read"):
        mlp().forward([["a", "b"]])


def test_nan_in_input():
    x = np.zeros((3, 2))
    x[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"input to layer 1 \(Dense\) contains NaN.*sample 1"):
        mlp().trace(x, [0, 1, 0])


def test_wrong_target_shape():
    with pytest.raises(ValueError, match=r"got 2 labels for a batch of 3.*\(3, 2\)"):
        mlp().trace(np.zeros((3, 2)), [0, 1])
    net = Sequential([Dense(2, 2)], "half_sse")
    with pytest.raises(ValueError, match=r"expected shape \(3, 2\).*got \(3, 3\)"):
        net.trace(np.zeros((3, 2)), np.zeros((3, 3)))


def test_label_out_of_range():
    with pytest.raises(ValueError, match=r"class index out of range \[0, 1\]"):
        mlp().trace(np.zeros((2, 2)), np.array([0, 2]))


def test_conv_channels_and_kernel_fit():
    with pytest.raises(
        ValueError, match=r"layer 2 \(Conv2D\): in_channels=3 but layer 1 outputs 4"
    ):
        Sequential([Conv2D(1, 4, 3), Conv2D(3, 2, 3)], "half_sse")
    net = Sequential([Conv2D(1, 2, 3), Conv2D(2, 2, 5)], "half_sse")
    with pytest.raises(ValueError, match=r"layer 2 \(Conv2D\).*5x5 kernel does not fit a 4x4"):
        net.forward(np.zeros((1, 1, 6, 6)))
    with pytest.raises(ValueError, match=r"layer 1 \(Conv2D\).*\(1, H, W\).*\(3, 6, 6\)"):
        net.forward(np.zeros((1, 3, 6, 6)))


def test_dense_after_conv_needs_flatten():
    with pytest.raises(ValueError, match=r"layer 3 \(Dense\).*add a Flatten"):
        Sequential([Conv2D(1, 2, 3), MaxPool2D(), Dense(8, 2)], "half_sse")


def test_flatten_size_mismatch_found_at_run_time():
    net = Sequential([Conv2D(1, 2, 3), Flatten(), Dense(10, 2)], "half_sse")
    with pytest.raises(ValueError, match=r"layer 3 \(Dense\).*10 input features.*\(18,\)"):
        net.forward(np.zeros((1, 1, 5, 5)))


def test_cross_entropy_needs_softmax_output():
    with pytest.raises(ValueError, match=r"layer 1 \(Dense\).*softmax"):
        Sequential([Dense(2, 2)], "cross_entropy")


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="unknown activation 'relux'"):
        Dense(2, 2, "relux")
    with pytest.raises(ValueError, match="padding"):
        Conv2D(1, 1, 3, padding="full")
    with pytest.raises(ValueError, match="unknown loss"):
        Sequential([Dense(1, 1)], "mse")
    with pytest.raises(ValueError, match="lr"):
        SGD(0.0)


def test_set_params_checks_every_shape_before_writing():
    net = mlp()
    before = net.get_params()
    with pytest.raises(ValueError, match=r"W2 of layer 2 \(Dense\) must have shape \(2, 3\)"):
        net.set_params({"W1": np.ones((3, 2)), "W2": np.ones((3, 3))})
    np.testing.assert_array_equal(net.layers[0].W, before["W1"])
    with pytest.raises(ValueError, match="unknown parameter 'W3'"):
        net.set_params({"W3": np.ones(1)})


def test_divergence_stops_with_the_step_and_advice():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2)) * 10
    Y = X @ np.array([[3.0], [-2.0]])
    net = Sequential([Dense(2, 16, "relu"), Dense(16, 1)], "half_sse", seed=0)
    with pytest.raises(TrainingDiverged, match=r"at step \d+ .*smaller learning rate") as info:
        SGD(1e3, 8).fit(net, X, Y, epochs=50, seed=0)
    assert isinstance(info.value, ValueError)
