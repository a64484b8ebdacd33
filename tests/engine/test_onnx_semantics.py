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
