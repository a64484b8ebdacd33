"""engine.onnx.load on hand-written graphs: the forms exporters use, and each refusal."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

from engine.onnx import ModelRejected, load

RNG = np.random.default_rng(0)


def _model(nodes, inits, in_shape, out_shape, opset=17, extra_inputs=()):
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape), *extra_inputs],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
        initializer=[numpy_helper.from_array(v.astype(np.float32), k) for k, v in inits.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _same_as_reference(model, x):
    net = load(model)
    (ref,) = ReferenceEvaluator(model).run(None, {"x": x.astype(np.float32)})
    np.testing.assert_allclose(net.forward(x), ref, rtol=1e-5, atol=1e-6)
    return net


def test_gemm_forms():
    W = RNG.normal(size=(3, 4))
    inits = {"W": W, "WT": W.T.copy(), "b": RNG.normal(size=(1, 4))}
    x = RNG.normal(size=(5, 3))
    m = _model(
        [helper.make_node("Gemm", ["x", "WT", "b"], ["y"], transB=1)], inits, ["N", 3], ["N", 4]
    )
    _same_as_reference(m, x)
    m = _model(
        [helper.make_node("Gemm", ["x", "W", "b"], ["y"], transB=0)], inits, ["N", 3], ["N", 4]
    )
    net = _same_as_reference(m, x)
    np.testing.assert_allclose(net.layers[0].W, W.T.astype(np.float32))
    m = _model([helper.make_node("Gemm", ["x", "W"], ["y"])], inits, ["N", 3], ["N", 4])
    assert not load(m).layers[0].b.any()
    m = _model(
        [helper.make_node("Gemm", ["x", "W", "b"], ["y"], alpha=2.0)], inits, ["N", 3], ["N", 4]
    )
    with pytest.raises(ModelRejected, match=r"\(Gemm\).*alpha=2.0"):
        load(m)


def test_matmul_add_bias_either_side_and_softmax_opset_11():
    inits = {"B": RNG.normal(size=(3, 2)), "c": RNG.normal(size=(2,))}
    nodes = [
        helper.make_node("MatMul", ["x", "B"], ["u"], name="mm"),
        helper.make_node("Add", ["c", "u"], ["v"], name="bias"),
        helper.make_node("Softmax", ["v"], ["y"], name="sm", axis=1),
    ]
    net = _same_as_reference(
        _model(nodes, inits, ["N", 3], ["N", 2], opset=11), RNG.normal(size=(4, 3))
    )
    assert net.layers[0].activation == "softmax" and net.loss == "cross_entropy"


def test_conv_bias_add_batchnorm_and_pads():
    C = 3
    inits = {
        "W": RNG.normal(size=(C, 2, 3, 3)),
        "cb": RNG.normal(size=(C, 1, 1)),
        "g": RNG.uniform(0.5, 2, size=C),
        "be": RNG.normal(size=C),
        "mu": RNG.normal(size=C),
        "var": RNG.uniform(0.5, 2, size=C),
    }
    nodes = [
        helper.make_node("Conv", ["x", "W"], ["u"], name="conv", pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Add", ["u", "cb"], ["v"], name="bias"),
        helper.make_node("BatchNormalization", ["v", "g", "be", "mu", "var"], ["n"], name="bn"),
        helper.make_node("LeakyRelu", ["n"], ["a"], name="lrelu", alpha=0.1),
        helper.make_node("MaxPool", ["a"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["y"], name="flat"),
    ]
    net = _same_as_reference(
        _model(nodes, inits, ["N", 2, 8, 8], ["N", 12]), RNG.normal(size=(2, 2, 8, 8))
    )
    conv = net.layers[0]
    assert conv.padding == 1 and conv.stride == 2 and conv.alpha == 0.1


def test_same_upper_pads_and_auto_pad():
    inits = {"W": RNG.normal(size=(2, 1, 2, 2))}
    x = RNG.normal(size=(2, 1, 5, 5))
    for attrs in ({"pads": [0, 0, 1, 1]}, {"auto_pad": "SAME_UPPER"}):
        nodes = [helper.make_node("Conv", ["x", "W"], ["y"], name="c", **attrs)]
        net = _same_as_reference(_model(nodes, inits, ["N", 1, 5, 5], ["N", 2, 5, 5]), x)
        assert net.layers[0].padding == "same"
    # stride 2: SAME_UPPER pads depend on the size; known from the static input shape
    nodes = [
        helper.make_node("Conv", ["x", "W"], ["y"], name="c", pads=[0, 0, 1, 1], strides=[2, 2])
    ]
    net = _same_as_reference(_model(nodes, inits, ["N", 1, 5, 5], ["N", 2, 3, 3]), x)
    assert net.layers[0].padding == "same"


@pytest.mark.parametrize(
    "attrs, message",
    [
        ({"dilations": [2, 2]}, "dilations"),
        ({"group": 2}, "group=2"),
        ({"auto_pad": "SAME_LOWER"}, "SAME_LOWER"),
        ({"pads": [1, 0, 0, 0]}, "neither symmetric nor SAME_UPPER"),
        ({"strides": [1, 2]}, "equal strides"),
    ],
)
def test_conv_refusals_name_the_node(attrs, message):
    group = attrs.get("group", 1)
    inits = {"W": RNG.normal(size=(2, 2 // group, 3, 3))}
    nodes = [helper.make_node("Conv", ["x", "W"], ["y"], name="conv7", **attrs)]
    m = _model(nodes, inits, ["N", 2, 9, 9], ["N", "c", "h", "w"])
    with pytest.raises(ModelRejected, match=rf"node 'conv7' \(Conv\).*{message}"):
        load(m)


@pytest.mark.parametrize(
    "attrs, message",
    [
        ({"kernel_shape": [2, 2], "pads": [1, 1, 1, 1]}, "padding"),
        ({"kernel_shape": [2, 2], "ceil_mode": 1}, "ceil_mode"),
        ({"kernel_shape": [2, 3]}, "square"),
    ],
)
def test_pool_refusals(attrs, message):
    nodes = [helper.make_node("MaxPool", ["x"], ["y"], name="mp", **attrs)]
    with pytest.raises(ModelRejected, match=rf"node 'mp' \(MaxPool\).*{message}"):
        load(_model(nodes, {}, ["N", 1, 6, 6], ["N", "c", "h", "w"]))


def test_structure_refusals():
    W = {"W": RNG.normal(size=(3, 3))}
    # unsupported operator (allowed by the validator, not by the loader)
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["u"], name="d1"),
        helper.make_node("Exp", ["u"], ["y"], name="exp1"),
    ]
    with pytest.raises(ModelRejected, match=r"node 'exp1' \(Exp\).*not supported"):
        load(_model(nodes, W, ["N", 3], ["N", 3]))
    # two activations in a row
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["u"], name="d1"),
        helper.make_node("Relu", ["u"], ["a"], name="r1"),
        helper.make_node("Sigmoid", ["a"], ["y"], name="s1"),
    ]
    with pytest.raises(ModelRejected, match=r"node 's1' \(Sigmoid\).*already has activation"):
        load(_model(nodes, W, ["N", 3], ["N", 3]))
    # a branch: the second Gemm reads the input, not the chain
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["u"], name="d1"),
        helper.make_node("Gemm", ["x", "W"], ["y"], name="d2"),
    ]
    with pytest.raises(ModelRejected, match=r"node 'd2' \(Gemm\).*single chain"):
        load(_model(nodes, W, ["N", 3], ["N", 3]))
    # two graph inputs
    extra = helper.make_tensor_value_info("z", TensorProto.FLOAT, ["N", 3])
    nodes = [helper.make_node("Gemm", ["x", "W"], ["y"], name="d1")]
    with pytest.raises(ModelRejected, match="2 inputs"):
        load(_model(nodes, W, ["N", 3], ["N", 3], extra_inputs=[extra]))
    # a dense layer on images without flattening (the checker's shape inference sees it)
    nodes = [helper.make_node("Gemm", ["x", "W"], ["y"], name="d1")]
    with pytest.raises(ModelRejected, match="Gemm"):
        load(_model(nodes, W, ["N", 3, 1, 1], ["N", 3]))
    # softmax over the wrong axis of images
    nodes = [
        helper.make_node("Conv", ["x", "K"], ["u"], name="c"),
        helper.make_node("Softmax", ["u"], ["y"], name="sm", axis=-1),
    ]
    with pytest.raises(ModelRejected, match=r"'sm' \(Softmax\).*axis=-1"):
        load(
            _model(
                nodes, {"K": RNG.normal(size=(2, 1, 1, 1))}, ["N", 1, 3, 3], ["N", "c", "h", "w"]
            )
        )


def test_activation_after_avgpool_is_refused_but_after_maxpool_moves():
    inits = {"K": RNG.normal(size=(2, 1, 3, 3))}
    x = RNG.normal(size=(2, 1, 6, 6))
    for pool, ok in (("MaxPool", True), ("AveragePool", False)):
        nodes = [
            helper.make_node("Conv", ["x", "K"], ["u"], name="c"),
            helper.make_node(pool, ["u"], ["p"], name="p", kernel_shape=[2, 2], strides=[2, 2]),
            helper.make_node("Tanh", ["p"], ["y"], name="t"),
        ]
        m = _model(nodes, inits, ["N", 1, 6, 6], ["N", "c", "h", "w"])
        if ok:
            net = _same_as_reference(m, x)
            assert net.layers[0].activation == "tanh"
        else:
            with pytest.raises(ModelRejected, match=r"'t' \(Tanh\).*must follow"):
                load(m)


def test_reshape_flatten_forms():
    inits = {"K": RNG.normal(size=(2, 1, 3, 3)), "W": RNG.normal(size=(3, 8))}
    x = RNG.normal(size=(3, 1, 4, 4))
    for target in ([0, -1], [-1, 8]):
        nodes = [
            helper.make_node("Conv", ["x", "K"], ["u"], name="c"),
            helper.make_node("Reshape", ["u", "shape"], ["f"], name="r"),
            helper.make_node("Gemm", ["f", "W"], ["y"], name="d", transB=1),
        ]
        inits2 = {**inits}
        m = _model(nodes, inits2, ["N", 1, 4, 4], ["N", 3])
        m.graph.initializer.append(numpy_helper.from_array(np.array(target, np.int64), "shape"))
        net = _same_as_reference(m, x)
        assert [type(lay).__name__ for lay in net.layers] == ["Conv2D", "Flatten", "Dense"]
    nodes = [
        helper.make_node("Conv", ["x", "K"], ["u"], name="c"),
        helper.make_node("Reshape", ["u", "shape"], ["y"], name="r"),
    ]
    m = _model(nodes, inits, ["N", 1, 4, 4], ["N", "c", "h"])
    m.graph.initializer.append(numpy_helper.from_array(np.array([0, 2, 4], np.int64), "shape"))
    with pytest.raises(ModelRejected, match=r"'r' \(Reshape\).*\[0, 2, 4\]"):
        load(m)
