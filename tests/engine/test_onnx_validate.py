"""Every refusal path of engine.onnx.validate, each with a crafted file."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from engine.onnx import Limits, ModelRejected, validate


def _dense_model(W=None, extra_nodes=(), extra_inits=(), opset=17, domain_imports=()):
    W = np.ones((3, 2), np.float32) if W is None else W
    inits = [numpy_helper.from_array(W, "W"), numpy_helper.from_array(np.zeros(3, np.float32), "b")]
    nodes = [helper.make_node("Gemm", ["input", "W", "b"], ["u1"], name="dense1", transB=1)]
    nodes.append(helper.make_node("Relu", ["u1"], ["output"], name="relu1"))
    graph = helper.make_graph(
        nodes + list(extra_nodes),
        "g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 2])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 3])],
        initializer=inits + list(extra_inits),
    )
    imports = [helper.make_opsetid("", opset), *domain_imports]
    return helper.make_model(graph, opset_imports=imports)


def _raw_tensor(name, dims, raw: bytes) -> TensorProto:
    """A float tensor whose declared dims need not match its data (onnx.helper refuses that)."""
    t = TensorProto()
    t.name, t.data_type = name, TensorProto.FLOAT
    t.dims.extend(dims)
    t.raw_data = raw
    return t


def _bytes(model) -> bytes:
    return model.SerializeToString()


def test_good_model_passes_from_bytes_and_path(tmp_path):
    model = _dense_model()
    out = validate(_bytes(model))
    assert isinstance(out, onnx.ModelProto)
    path = tmp_path / "ok.onnx"
    path.write_bytes(_bytes(model))
    assert validate(path).graph.node[0].op_type == "Gemm"
    assert validate(str(path)).graph.node[1].op_type == "Relu"


def test_size_limit_checked_before_reading(tmp_path):
    path = tmp_path / "big.onnx"
    path.write_bytes(_bytes(_dense_model()))
    with pytest.raises(ModelRejected, match="over the size limit of 10 bytes"):
        validate(path, limits=Limits(max_bytes=10))
    with pytest.raises(ModelRejected, match="size limit"):
        validate(path.read_bytes(), limits=Limits(max_bytes=10))


def test_default_size_limit_is_50_mb():
    assert Limits().max_bytes == 50 * 1024 * 1024
    with pytest.raises(ModelRejected, match="size limit"):
        validate(b"\0" * (50 * 1024 * 1024 + 1))


def test_missing_file(tmp_path):
    with pytest.raises(ModelRejected, match="cannot read"):
        validate(tmp_path / "nope.onnx")


def test_truncated_file(tmp_path):
    data = _bytes(_dense_model(W=np.arange(600, dtype=np.float32).reshape(300, 2)))
    path = tmp_path / "trunc.onnx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelRejected, match="truncated or corrupt"):
        validate(path)


def test_garbage_and_empty_files():
    with pytest.raises(ModelRejected, match="empty"):
        validate(b"")
    with pytest.raises(ModelRejected):
        validate(b"\xff\xfe not an onnx file at all \x00\x01")


def test_external_data_pointing_at_etc_passwd(tmp_path):
    model = _dense_model()
    w = model.graph.initializer[0]
    w.ClearField("raw_data")
    w.ClearField("float_data")
    w.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "/etc/passwd"), ("offset", "0"), ("length", "24")):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    path = tmp_path / "ext.onnx"
    path.write_bytes(_bytes(model))
    with pytest.raises(ModelRejected, match="external data.*/etc/passwd"):
        validate(path)


def test_external_data_entries_without_location_flag():
    model = _dense_model()
    entry = model.graph.initializer[1].external_data.add()
    entry.key, entry.value = "location", "../../secrets"
    with pytest.raises(ModelRejected, match="external data"):
        validate(_bytes(model))


def test_external_data_in_constant_node():
    t = numpy_helper.from_array(np.zeros(3, np.float32), "c")
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "/etc/passwd"
    const = helper.make_node("Constant", [], ["c"], name="const", value=t)
    model = _dense_model(extra_nodes=[const])
    with pytest.raises(ModelRejected, match="node 'const'.*external data"):
        validate(_bytes(model))


def test_custom_domain_operator():
    model = _dense_model(domain_imports=[helper.make_opsetid("com.evil", 1)])
    with pytest.raises(ModelRejected, match="domain 'com.evil'"):
        validate(_bytes(model))
    # Node in a custom domain even when the import list looks clean.
    model = _dense_model()
    model.graph.node[1].domain = "com.microsoft"
    with pytest.raises(ModelRejected, match="domain"):
        validate(_bytes(model))


def test_billion_element_initializer_refused_without_allocating():
    big = _raw_tensor("huge", [1000, 1000, 1000], b"\0" * 16)
    model = _dense_model(extra_inits=[big])
    data = _bytes(model)
    assert len(data) < 2000  # tiny file, huge declared tensor
    with pytest.raises(ModelRejected, match=r"'huge'.*1000000000 elements.*per-tensor limit"):
        validate(data)


def test_total_element_budget():
    W = np.zeros((3, 2), np.float32)
    with pytest.raises(ModelRejected, match="in total"):
        validate(_bytes(_dense_model(W=W)), limits=Limits(max_total_elements=7))


def test_inconsistent_data_length():
    t = _raw_tensor("short", [10], b"\0" * 8)
    with pytest.raises(ModelRejected, match="'short'.*holds 8 bytes"):
        validate(_bytes(_dense_model(extra_inits=[t])))


def test_unsupported_operator_named_with_node():
    resize = helper.make_node("Resize", ["input", "", "scales"], ["up"], name="upsample")
    scales = numpy_helper.from_array(np.array([1, 1000], np.float32), "scales")
    model = _dense_model(extra_nodes=[resize], extra_inits=[scales])
    with pytest.raises(ModelRejected, match="node 'upsample' uses operator 'Resize'.*allow-list"):
        validate(_bytes(model))


def test_custom_allow_list():
    with pytest.raises(ModelRejected, match="'Relu'"):
        validate(_bytes(_dense_model()), limits=Limits(allowed_ops=frozenset({"Gemm"})))


def test_subgraphs_and_functions_refused():
    then = helper.make_graph([], "then", [], [helper.make_tensor_value_info("x", 1, [1])])
    node = helper.make_node("If", ["c"], ["y"], name="branch", then_branch=then, else_branch=then)
    with pytest.raises(ModelRejected, match="subgraph"):
        validate(_bytes(_dense_model(extra_nodes=[node])))
    model = _dense_model()
    model.functions.append(helper.make_function("local", "f", ["x"], ["y"], [], []))
    with pytest.raises(ModelRejected, match="functions"):
        validate(_bytes(model))


def test_checker_failure_is_a_rejection():
    model = _dense_model()
    model.graph.node[1].input[0] = "missing_tensor"
    with pytest.raises(ModelRejected, match="checker"):
        validate(_bytes(model))


def test_opset_range():
    with pytest.raises(ModelRejected, match="opset"):
        validate(_bytes(_dense_model(opset=3)))
    with pytest.raises(ModelRejected, match="opset"):
        validate(_bytes(_dense_model(opset=999)))


def test_node_count_limit():
    with pytest.raises(ModelRejected, match="nodes"):
        validate(_bytes(_dense_model()), limits=Limits(max_nodes=1))


def test_model_rejected_is_value_error():
    assert issubclass(ModelRejected, ValueError)


def _int64(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def test_size_from_data_ops_bounded_when_constant():
    # ConstantOfShape with a constant 10^12-element shape
    bomb = helper.make_node("ConstantOfShape", ["s"], ["z"], name="bomb")
    model = _dense_model(extra_nodes=[bomb], extra_inits=[_int64("s", [10**6, 10**6])])
    with pytest.raises(ModelRejected, match=r"node 'bomb' \(ConstantOfShape\).*1000000000000"):
        validate(_bytes(model))
    # Range(0, 10^10, 1)
    rng_node = helper.make_node("Range", ["r0", "r1", "r2"], ["r"], name="range")
    inits = [
        numpy_helper.from_array(np.array(0, np.int64), "r0"),
        numpy_helper.from_array(np.array(10**10, np.int64), "r1"),
        numpy_helper.from_array(np.array(1, np.int64), "r2"),
    ]
    with pytest.raises(ModelRejected, match=r"\(Range\).*10000000000 elements"):
        validate(_bytes(_dense_model(extra_nodes=[rng_node], extra_inits=inits)))
    # Expand of the input to a huge constant shape
    expand = helper.make_node("Expand", ["input", "e"], ["big"], name="expand")
    model = _dense_model(extra_nodes=[expand], extra_inits=[_int64("e", [10**5, 10**5, 2])])
    with pytest.raises(ModelRejected, match=r"\(Expand\)"):
        validate(_bytes(model))


def test_size_from_data_ops_bounded_through_shape_arithmetic():
    # the shape is computed (Mul of two constants): caught by data propagation
    nodes = [
        helper.make_node("Mul", ["sa", "sb"], ["s"], name="mul"),
        helper.make_node("ConstantOfShape", ["s"], ["z"], name="bomb"),
    ]
    inits = [_int64("sa", [10**5, 10**5]), _int64("sb", [10, 10])]
    with pytest.raises(ModelRejected, match=r"'z'.*over the limit"):
        validate(_bytes(_dense_model(extra_nodes=nodes, extra_inits=inits)))


def test_small_size_from_data_ops_pass():
    nodes = [helper.make_node("ConstantOfShape", ["s"], ["z"], name="zeros")]
    validate(_bytes(_dense_model(extra_nodes=nodes, extra_inits=[_int64("s", [4, 4])])))


def test_static_shapes_over_the_limit_are_refused():
    model = _dense_model()
    dims = model.graph.input[0].type.tensor_type.shape.dim
    dims[0].dim_value = 10**9  # a static batch of a billion rows
    with pytest.raises(ModelRejected, match=r"'input' would hold 2000000000 elements"):
        validate(_bytes(model))
