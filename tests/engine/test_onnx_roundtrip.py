"""Export -> onnxruntime / ReferenceEvaluator / load round trips on random small architectures."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx.reference import ReferenceEvaluator

from engine import AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, Sequential
from engine.onnx import ModelRejected, export, load, load_model, to_model, validate

ACTS = ["identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus"]


def _random_dense(rng) -> tuple[Sequential, tuple]:
    n = [int(rng.integers(1, 7)) for _ in range(int(rng.integers(2, 5)))]
    layers = []
    for i in range(len(n) - 1):
        act = str(rng.choice(ACTS))
        layers.append(Dense(n[i], n[i + 1], activation=act, alpha=float(rng.uniform(0.01, 0.3))))
    if rng.random() < 0.5:
        layers[-1] = Dense(n[-2], max(n[-1], 2), activation="softmax")
        loss = "cross_entropy"
    else:
        loss = "half_sse"
    return Sequential(layers, loss, seed=int(rng.integers(1000))), (n[0],)


def _random_conv(rng) -> tuple[Sequential, tuple]:
    C, H = int(rng.integers(1, 4)), int(rng.integers(6, 11))
    Wd = H
    layers = []
    c, h, w = C, H, Wd
    for _ in range(int(rng.integers(1, 3))):
        k = int(rng.integers(1, 4))
        s = int(rng.integers(1, 3))
        pad = ["valid", "same", 0, 1][int(rng.integers(0, 4))]
        out = int(rng.integers(1, 5))
        act = str(rng.choice(ACTS + ["softmax"]))
        conv = Conv2D(c, out, k, stride=s, padding=pad, activation=act)
        c, h, w = conv.output_shape((c, h, w))
        layers.append(conv)
        if h >= 2 and rng.random() < 0.6:
            pool_cls = MaxPool2D if rng.random() < 0.5 else AvgPool2D
            size = 2
            stride = None if rng.random() < 0.7 else 1
            pool = pool_cls(size, stride)
            c, h, w = pool.output_shape((c, h, w))
            layers.append(pool)
    layers.append(Flatten())
    K = int(rng.integers(2, 5))
    if rng.random() < 0.5:
        layers.append(Dense(c * h * w, K, activation="softmax"))
        loss = "cross_entropy"
    else:
        layers.append(Dense(c * h * w, K))
        loss = "half_sse"
    return Sequential(layers, loss, seed=int(rng.integers(1000))), (C, H, Wd)


def _close(a, b, rtol=1e-5):
    scale = max(float(np.abs(b).max()), 1e-3)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("seed", range(12))
def test_random_architectures_agree(seed, tmp_path):
    rng = np.random.default_rng(seed)
    net, sample = (_random_dense if seed % 3 == 0 else _random_conv)(rng)
    x = rng.normal(size=(3, *sample))
    y_engine = net.forward(x)

    # dynamic shapes (None) for half of the conv nets, static for the other half
    shape_arg = sample if seed % 2 else None
    path = tmp_path / "m.onnx"
    model = export(net, path, input_shape=shape_arg)
    onnx.checker.check_model(model, full_check=True)
    assert validate(path).graph.input[0].name == "input"

    x32 = x.astype(np.float32)
    sess = ort.InferenceSession(path.read_bytes(), providers=["CPUExecutionProvider"])
    (y_ort,) = sess.run(None, {"input": x32})
    (y_ref,) = ReferenceEvaluator(model).run(None, {"input": x32})
    _close(y_ort, y_engine)
    _close(y_ref, y_engine)

    # another batch size through the dynamic N
    (y1,) = sess.run(None, {"input": x32[:1]})
    _close(y1, y_engine[:1])

    back = load(path)
    assert [type(lay).__name__ for lay in back.layers] == [type(lay).__name__ for lay in net.layers]
    assert back.spec()["layers"] == net.spec()["layers"]
    assert back.loss == net.loss
    _close(back.forward(x), y_engine)


def test_graph_names_metadata_and_opset(tmp_path):
    net = Sequential(
        [
            Conv2D(1, 2, 3, padding="same", activation="relu"),
            MaxPool2D(),
            Flatten(),
            Dense(8, 3, activation="softmax"),
        ],
        "cross_entropy",
        seed=0,
    )
    model = export(net, tmp_path / "m.onnx", class_names=["a", "b", "c"], input_shape=(1, 4, 4))
    assert model.opset_import[0].version >= 17
    assert model.producer_name == "nnweb"
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["producer"] == "nnweb"
    assert meta["input_layout"] == "NCHW"
    assert json.loads(meta["class_names"]) == ["a", "b", "c"]
    assert meta["loss"] == "cross_entropy"
    assert json.loads(meta["input_shape"]) == [1, 4, 4]
    g = model.graph
    assert [i.name for i in g.input] == ["input"] and [o.name for o in g.output] == ["output"]
    assert g.input[0].type.tensor_type.shape.dim[0].dim_param == "N"
    assert g.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert [t.name for t in g.initializer] == ["W1", "b1", "W4", "b4"]
    assert {t.data_type for t in g.initializer} == {onnx.TensorProto.FLOAT}
    ops = [n.op_type for n in g.node]
    assert ops == ["Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Softmax"]
    gemm = g.node[4]
    assert any(a.name == "transB" and a.i == 1 for a in gemm.attribute)
    conv = g.node[0]
    pads = [a for a in conv.attribute if a.name == "pads"][0].ints
    assert list(pads) == [1, 1, 1, 1]
    info = load_model(tmp_path / "m.onnx")
    assert info.class_names == ["a", "b", "c"]
    assert info.input_layout == "NCHW" and info.input_shape == (1, 4, 4)
    assert info.net.layers[0].padding == "same"


def test_same_padding_puts_the_odd_pixel_at_the_end():
    net = Sequential([Conv2D(1, 1, 2, padding="same"), Flatten()], "half_sse", seed=0)
    model = to_model(net, input_shape=(1, 5, 5))
    pads = [a for a in model.graph.node[0].attribute if a.name == "pads"][0].ints
    assert list(pads) == [0, 0, 1, 1]  # top, left, bottom, right
    net2 = Sequential([Conv2D(1, 1, 3, stride=2, padding="same"), Flatten()], "half_sse", seed=0)
    dyn = to_model(net2)  # H, W unknown: SAME_UPPER written as auto_pad
    attrs = {a.name: a for a in dyn.graph.node[0].attribute}
    assert attrs["auto_pad"].s == b"SAME_UPPER"
    x = np.random.default_rng(0).normal(size=(2, 1, 6, 6)).astype(np.float32)
    (y,) = ReferenceEvaluator(dyn).run(None, {"input": x})
    _close(y, net2.forward(x))
    static = to_model(net2, input_shape=(1, 6, 6))
    pads = [a for a in static.graph.node[0].attribute if a.name == "pads"][0].ints
    assert list(pads) == [0, 0, 1, 1]
    back = load(static)
    assert back.layers[0].padding == "same"
    _close(back.forward(x), net2.forward(x))


def test_float64_export():
    net = Sequential([Dense(3, 2, activation="tanh")], "half_sse", seed=1)
    model = to_model(net, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(4, 3))
    (y,) = ReferenceEvaluator(model).run(None, {"input": x})
    np.testing.assert_allclose(y, net.forward(x), rtol=1e-12)


def test_export_refuses_mismatched_class_names(tmp_path):
    net = Sequential([Dense(3, 2, activation="softmax")], "cross_entropy", seed=1)
    with pytest.raises(ValueError, match="3 class names for a network with 2 outputs"):
        export(net, tmp_path / "m.onnx", class_names=["a", "b", "c"])
    assert not list(tmp_path.iterdir())


def test_load_refuses_a_model_the_validator_refuses(tmp_path):
    net = Sequential([Dense(3, 2)], "half_sse", seed=1)
    data = to_model(net).SerializeToString()
    with pytest.raises(ModelRejected, match="truncated"):
        load(data[:-7])


def test_mlp_on_images_without_input_shape():
    net = Sequential([Flatten(), Dense(12, 3, activation="softmax")], "cross_entropy", seed=0)
    model = to_model(net)  # C, H, W unknown: any image with C*H*W = 12
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert len(dims) == 4 and dims[0].dim_param == "N"
    x = np.random.default_rng(0).normal(size=(2, 3, 2, 2))
    (y,) = ReferenceEvaluator(model).run(None, {"input": x.astype(np.float32)})
    _close(y, net.forward(x))
    info = load_model(model)
    assert info.input_layout == "NCHW" and info.input_shape == (None, None, None)
    _close(info.net.forward(x), net.forward(x))
    with_shape = to_model(net, input_shape=(3, 2, 2))
    assert [d.dim_value for d in with_shape.graph.input[0].type.tensor_type.shape.dim[1:]] == [
        3,
        2,
        2,
    ]
