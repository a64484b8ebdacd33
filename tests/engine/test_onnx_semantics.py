"""ONNX semantics the loader must honour exactly, or refuse naming the node: graphs built to
probe the differences (softmax before opset 13, reshapes that are not a per-sample flatten,
dropout in training mode), checked against onnxruntime and onnx.reference."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

from engine.onnx import ModelRejected, load

RNG = np.random.default_rng(16)


def _model(nodes, inits, in_shape, out_shape, opset=17):
    graph = helper.make_graph(
        nodes,
        "probe",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
        initializer=[numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8  # what onnxruntime reads for these opsets
    return model


def _runtimes(model, x, reference=True):
    """The outputs of onnxruntime and (unless ``reference=False``) of onnx.reference."""
    x = x.astype(np.float32)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (ort_y,) = sess.run(None, {"x": x})
    if not reference:
        return [ort_y]
    (ref_y,) = ReferenceEvaluator(model).run(None, {"x": x})
    return [ort_y, ref_y]


def _same_as_runtimes(model, x, reference=True):
    net = load(model)
    y = net.forward(x.astype(np.float64))
    for expected in _runtimes(model, x, reference):
        assert y.shape == expected.shape
        np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    return net


def _f32(*shape):
    return RNG.normal(size=shape).astype(np.float32)


# ------------------------------------------------------------------ Softmax before opset 13
def _conv_softmax(opset, hw, **softmax_attrs):
    nodes = [
        helper.make_node("Conv", ["x", "K"], ["u"], name="conv"),
        helper.make_node("Softmax", ["u"], ["y"], name="probs", **softmax_attrs),
    ]
    return _model(nodes, {"K": _f32(2, 3, 1, 1)}, ["N", 3, hw, hw], ["N", 2, hw, hw], opset)


@pytest.mark.parametrize("opset", [11, 12])
@pytest.mark.parametrize("attrs", [{}, {"axis": 1}])
def test_softmax_before_opset_13_on_images_is_refused(opset, attrs):
    """Softmax-1/11 normalises all C*H*W values of a sample: not the engine's per-pixel one."""
    model = _conv_softmax(opset, 4, **attrs)
    (ort_y,) = _runtimes(model, _f32(2, 3, 4, 4), reference=False)
    np.testing.assert_allclose(ort_y.sum(axis=(1, 2, 3)), 1.0, rtol=1e-5)  # what ONNX means
    with pytest.raises(ModelRejected, match=r"node 'probs' \(Softmax\).*before opset 13"):
        load(model)


def test_softmax_before_opset_13_on_one_pixel_is_the_channel_softmax():
    # onnx.reference (1.23) takes Softmax-11's default axis as -1, not the spec's 1:
    # onnxruntime alone for the default, both for an explicit axis=1.
    _same_as_runtimes(_conv_softmax(11, 1), _f32(3, 3, 1, 1), reference=False)
    _same_as_runtimes(_conv_softmax(11, 1, axis=1), _f32(3, 3, 1, 1))


@pytest.mark.parametrize("axis", [1, -3])
def test_softmax_opset_13_on_images_normalises_each_pixel(axis):
    net = _same_as_runtimes(_conv_softmax(13, 4, axis=axis), _f32(2, 3, 4, 4))
    assert net.layers[0].activation == "softmax"


def test_softmax_before_opset_13_on_features_is_loaded():
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["u"], name="dense"),
        helper.make_node("Softmax", ["u"], ["y"], name="probs", axis=-1),
    ]
    _same_as_runtimes(_model(nodes, {"W": _f32(4, 3)}, ["N", 4], ["N", 3], 11), _f32(5, 4))


# ------------------------------------------------------------------ Reshape
def _shape_const(name, values):
    return helper.make_node(
        "Constant",
        [],
        [name],
        value=numpy_helper.from_array(np.asarray(values, np.int64)),
    )


def _conv_reshape(target_nodes, batch="N", allowzero=None, out=("N", 32)):
    """Conv 2@3x3 -> 2x4x4 (32 values a sample) -> Reshape(target) -> y."""
    attrs = {} if allowzero is None else {"allowzero": allowzero}
    nodes = [
        helper.make_node("Conv", ["x", "K"], ["u"], name="conv"),
        *target_nodes,
        helper.make_node("Reshape", ["u", "target"], ["y"], name="flat", **attrs),
    ]
    return _model(nodes, {"K": _f32(2, 1, 3, 3)}, [batch, 1, 6, 6], list(out))


def _torch_view(index):
    """torch's x.view(x.size(index), -1): Shape -> Gather -> Unsqueeze -> Concat."""
    return [
        helper.make_node("Shape", ["u"], ["s"], name="shape"),
        _shape_const("i", index),
        helper.make_node("Gather", ["s", "i"], ["d"], name="gather", axis=0),
        _shape_const("ax", [0]),
        helper.make_node("Unsqueeze", ["d", "ax"], ["d1"], name="unsq"),
        _shape_const("rest", [-1]),
        helper.make_node("Concat", ["d1", "rest"], ["target"], name="concat", axis=0),
    ]


def test_reshape_of_dense_output_to_two_dims_is_not_a_flatten():
    """Gemm(5 -> 8) -> Reshape[-1, 4]: onnxruntime gives (4, 4) for two samples."""
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["u"], name="dense", transB=1),
        _shape_const("target", [-1, 4]),
        helper.make_node("Reshape", ["u", "target"], ["y"], name="flat"),
    ]
    model = _model(nodes, {"W": _f32(8, 5)}, ["N", 5], ["M", 4])
    ort_y, _ = _runtimes(model, _f32(2, 5))
    assert ort_y.shape == (4, 4)
    with pytest.raises(ModelRejected, match=r"node 'flat' \(Reshape\).*\[-1, 4\].*\(N, 8\)"):
        load(model)


@pytest.mark.parametrize(
    "target_nodes, shown",
    [
        ([_shape_const("target", [4, -1])], r"\[4, -1\]"),  # onnxruntime: (4, 24) for N=3
        ([_shape_const("target", [-1, 16])], r"\[-1, 16\]"),
        ([_shape_const("target", [4, 4, 6])], r"\[4, 4, 6\]"),
        (_torch_view(1), r"\[2, -1\]"),  # x.view(x.size(1), -1): the channels, not N
        (_torch_view(-1), r"\[4, -1\]"),
    ],
)
def test_reshapes_that_move_the_batch_are_refused(target_nodes, shown):
    out = ("A", "B", "C") if shown.count(",") == 2 else ("M", "K")
    model = _conv_reshape(target_nodes, out=out)
    ort_y, _ = _runtimes(model, _f32(3, 1, 6, 6))
    assert ort_y.shape != (3, 32)
    with pytest.raises(ModelRejected, match=rf"node 'flat' \(Reshape\).*{shown}"):
        load(model)


@pytest.mark.parametrize(
    "target_nodes, batch, allowzero",
    [
        ([_shape_const("target", [0, -1])], "N", None),
        ([_shape_const("target", [-1, 32])], "N", 1),
        ([_shape_const("target", [3, -1])], 3, None),  # the file fixes N = 3
        (_torch_view(0), "N", None),
        (
            [  # (N, C*H*W) spelled out from the dims
                helper.make_node("Shape", ["u"], ["s"], name="shape"),
                _shape_const("starts", [0]),
                _shape_const("ends", [1]),
                helper.make_node("Slice", ["s", "starts", "ends"], ["n"], name="slice"),
                _shape_const("c", [2]),
                _shape_const("hw", [16]),
                helper.make_node("Mul", ["c", "hw"], ["chw"], name="mul"),
                helper.make_node("Concat", ["n", "chw"], ["target"], name="concat", axis=0),
            ],
            "N",
            None,
        ),
    ],
)
def test_per_sample_flattens_load_and_match_onnxruntime(target_nodes, batch, allowzero):
    model = _conv_reshape(target_nodes, batch, allowzero, out=(batch, 32))
    net = _same_as_runtimes(model, _f32(3, 1, 6, 6))
    assert [type(layer).__name__ for layer in net.layers] == ["Conv2D", "Flatten"]


def test_reshape_allowzero_zero_is_a_zero_dim_not_the_batch():
    model = _conv_reshape([_shape_const("target", [0, 32])], allowzero=1, out=(0, 32))
    with pytest.raises(ModelRejected, match=r"'flat' \(Reshape\).*\[0, 32\] \(allowzero=1\)"):
        load(model)
    with pytest.raises(ModelRejected, match=r"'flat' \(Reshape\).*\[4, -1\]"):
        load(_conv_reshape([_shape_const("target", [4, -1])], batch=3, out=(4, 24)))


def test_reshape_to_a_shape_computed_from_the_batch_size_is_refused():
    """(2N, -1) halves each sample: the loader cannot treat N as a number, so it refuses."""
    nodes = [
        *_torch_view(0)[:3],
        _shape_const("two", 2),
        helper.make_node("Mul", ["d", "two"], ["d2"], name="double"),
        _shape_const("ax", [0]),
        helper.make_node("Unsqueeze", ["d2", "ax"], ["d1"], name="unsq"),
        _shape_const("rest", [-1]),
        helper.make_node("Concat", ["d1", "rest"], ["target"], name="concat", axis=0),
    ]
    model = _conv_reshape(nodes, out=("M", 16))
    with pytest.raises(
        ModelRejected, match=r"'flat' \(Reshape\).*cannot be evaluated.*'double'.*batch size"
    ):
        load(model)
    # the whole Shape(u) is (N, 2, 4, 4): evaluated, and four dims are no flatten
    nodes = [helper.make_node("Shape", ["u"], ["target"], name="shape")]
    model = _conv_reshape(nodes, out=("N", 2, 4, 4))
    with pytest.raises(ModelRejected, match=r"'flat' \(Reshape\).*\[N, 2, 4, 4\].*4 dims"):
        load(model)


# ------------------------------------------------------------------ Dropout
def _dense_dropout(training_mode=None, opset=13, **attrs):
    inputs = ["u", "ratio"] if opset >= 12 else ["u"]
    inits = {"ratio": np.array(0.5, np.float32)} if opset >= 12 else {}
    inits.update(W=_f32(6, 4), b=_f32(6))  # Gemm before opset 11 needs its C input
    if training_mode is not None:
        inits["mode"] = np.array(training_mode)
        inputs.append("mode")
    nodes = [
        helper.make_node("Gemm", ["x", "W", "b"], ["u"], name="dense", transB=1),
        helper.make_node("Dropout", inputs, ["y"], name="drop", **attrs),
    ]
    return _model(nodes, inits, ["N", 4], ["N", 6], opset=opset)


def test_dropout_in_training_mode_is_refused():
    model = _dense_dropout(training_mode=True)
    x = _f32(50, 4)
    ort_y, _ = _runtimes(model, x)
    assert (ort_y == 0).mean() > 0.2  # onnxruntime masks about half the values
    with pytest.raises(ModelRejected, match=r"node 'drop' \(Dropout\).*training_mode=\[True\]"):
        load(model)


def test_dropout_in_inference_mode_is_the_identity():
    for training_mode, opset in ((None, 13), (False, 13), (None, 12), (None, 10), (None, 7)):
        net = _same_as_runtimes(_dense_dropout(training_mode, opset), _f32(5, 4))
        assert [type(layer).__name__ for layer in net.layers] == ["Dense"]


def test_dropout_6_in_training_mode_does_not_load():
    """Dropout-6 with is_test=0 (its default) masks at random: refused (opset 6 is too)."""
    for attrs in ({}, {"is_test": 0}):
        with pytest.raises(ModelRejected, match="opset 6|is_test=0"):
            load(_dense_dropout(opset=6, **attrs))


# ------------------------------------------------------------------ bias broadcasting
@pytest.mark.parametrize(
    "C, shown",
    [(_f32(3, 1), r"\(3, 1\)"), (_f32(3, 3), r"\(3, 3\)")],
)
def test_gemm_c_that_is_not_one_bias_per_unit_is_refused(C, shown):
    """C (3, 1) broadcasts down the columns: one value per sample, not per unit."""
    nodes = [helper.make_node("Gemm", ["x", "W", "C"], ["y"], name="dense", transB=1)]
    model = _model(nodes, {"W": _f32(3, 4), "C": C}, [3, 4], [3, 3])
    x = _f32(3, 4)
    ort_y, _ = _runtimes(model, x)
    np.testing.assert_allclose(ort_y, x @ model_weights(model, "W").T + C, rtol=1e-5)
    with pytest.raises(ModelRejected, match=rf"node 'dense' \(Gemm\).*C of shape {shown}"):
        load(model)


@pytest.mark.parametrize(
    "layer, bias, shown",
    [
        ("Gemm", _f32(1, 1, 1), r"\(1, 1, 1\)"),  # adds a leading dim: (1, N, 1)
        ("Gemm", _f32(3, 1), r"\(3, 1\)"),
        ("Conv", _f32(1, 1, 1, 1, 1), r"\(1, 1, 1, 1, 1\)"),
        ("Conv", _f32(2, 1), r"\(2, 1\)"),  # broadcasts over H and W, not the channels
        ("Conv", _f32(2), r"\(2,\)"),
    ],
)
def test_add_that_is_not_a_bias_is_refused(layer, bias, shown):
    n_out = 1 if bias.size == 1 else bias.shape[0]
    if layer == "Gemm":
        first = helper.make_node("Gemm", ["x", "W"], ["u"], name="dense", transB=1)
        inits, in_shape = {"W": _f32(n_out, 4)}, [n_out, 4]
    else:
        first = helper.make_node("Conv", ["x", "W"], ["u"], name="conv")
        inits, in_shape = {"W": _f32(n_out, 1, 1, 1)}, ["N", 1, 2, 2]
    nodes = [first, helper.make_node("Add", ["u", "c"], ["y"], name="bias")]
    rank = max(bias.ndim, 2 if layer == "Gemm" else 4)
    model = _model(nodes, {**inits, "c": bias}, in_shape, [f"d{i}" for i in range(rank)])
    with pytest.raises(ModelRejected, match=rf"node 'bias' \(Add\).*bias of shape {shown}"):
        load(model)


@pytest.mark.parametrize(
    "layer, bias",
    [("Gemm", _f32(1, 3)), ("Gemm", _f32(1)), ("Conv", _f32(1, 2, 1, 1)), ("Conv", _f32(1))],
)
def test_biases_that_broadcast_per_unit_load(layer, bias):
    if layer == "Gemm":
        first = helper.make_node("Gemm", ["x", "W"], ["u"], name="dense", transB=1)
        inits, in_shape, out, x = {"W": _f32(3, 4)}, ["N", 4], ["N", 3], _f32(5, 4)
    else:
        first = helper.make_node("Conv", ["x", "W"], ["u"], name="conv")
        inits, in_shape = {"W": _f32(2, 1, 1, 1)}, ["N", 1, 2, 2]
        out, x = ["N", 2, 2, 2], _f32(3, 1, 2, 2)
    nodes = [first, helper.make_node("Add", ["u", "c"], ["y"], name="bias")]
    _same_as_runtimes(_model(nodes, {**inits, "c": bias}, in_shape, out), x)


def model_weights(model, name):
    return next(numpy_helper.to_array(t) for t in model.graph.initializer if t.name == name)


def test_reshape_target_arithmetic_is_integer_arithmetic():
    """(N, 64 / 2) with integer Div: 32 values a sample, a flatten; (N, -65 / 2) = (N, -32)
    truncates towards zero as onnxruntime does, and is refused."""
    for numerator, ok in ((64, True), (-65, False)):
        nodes = [
            *_torch_view(0)[:5],
            _shape_const("num", [numerator]),
            _shape_const("den", [2]),
            helper.make_node("Div", ["num", "den"], ["rest"], name="div"),
            helper.make_node("Concat", ["d1", "rest"], ["target"], name="concat", axis=0),
        ]
        model = _conv_reshape(nodes, out=("N", 32))
        if ok:
            _same_as_runtimes(model, _f32(2, 1, 6, 6))
        else:
            with pytest.raises(ModelRejected, match=r"'flat' \(Reshape\).*\[N, -32\]"):
                load(model)
