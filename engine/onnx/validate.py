"""Validation of untrusted ONNX files, before any runtime or loader sees them.

An uploaded .onnx file is checked in this order; the first problem found is
raised as :class:`ModelRejected` (a ``ValueError``) whose message says what and where:

1. size: the file is at most ``limits.max_bytes`` (checked on disk before reading);
2. readable: the bytes parse as an ONNX ``ModelProto`` (truncated/corrupt files fail here);
3. structure: a graph with inputs, outputs and nodes; no model-local functions, no training
   info, no subgraph attributes (If/Loop/Scan bodies), at most ``limits.max_nodes`` nodes;
4. domains and opset: only the default ONNX domain (``""`` / ``"ai.onnx"``) at a known opset;
5. tensors: no external data (``data_location = EXTERNAL`` or ``external_data`` entries are a
   file-read hole: a path such as ``/etc/passwd`` would be opened by the runtime), a known
   element type, element counts computed from the declared dims *without allocating anything*
   and bounded per tensor and in total, data length consistent with the dims;
6. operators: every node's op_type on the allow-list (``limits.allowed_ops``);
7. graph: ``onnx.checker.check_model(model, full_check=True)`` (includes shape inference);
8. sizes: constant size arguments of Range, Expand, ConstantOfShape and Tile are bounded, and
   no input, intermediate or output tensor that shape inference (with data propagation) can
   size statically holds more than ``limits.max_inferred_elements`` elements.

Parsing uses ``ModelProto.ParseFromString`` directly, so nothing ever follows an external
data reference.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import onnx

from .ops import ALLOWED_DOMAINS, MIN_OPSET, SERVABLE_OPS, SIZE_FROM_DATA_OPS

__all__ = ["Limits", "ModelRejected", "validate", "DEFAULT_LIMITS"]


class ModelRejected(ValueError):
    """An ONNX model refused by :func:`validate` (or by the loader); the message says why."""


@dataclass(frozen=True)
class Limits:
    """Bounds applied to untrusted ONNX files. All are configurable per call."""

    max_bytes: int = 50 * 1024 * 1024
    max_total_elements: int = 10**8
    max_tensor_elements: int = 10**7
    max_nodes: int = 10_000
    max_inferred_elements: int = 10**8
    allowed_ops: frozenset[str] = field(default=SERVABLE_OPS)
    allowed_domains: frozenset[str] = field(default=ALLOWED_DOMAINS)


DEFAULT_LIMITS = Limits()

# Bytes per element of the tensor types accepted in initializers and constants.
_ITEMSIZE = {
    onnx.TensorProto.FLOAT: 4,
    onnx.TensorProto.DOUBLE: 8,
    onnx.TensorProto.FLOAT16: 2,
    onnx.TensorProto.BFLOAT16: 2,
    onnx.TensorProto.INT8: 1,
    onnx.TensorProto.INT16: 2,
    onnx.TensorProto.INT32: 4,
    onnx.TensorProto.INT64: 8,
    onnx.TensorProto.UINT8: 1,
    onnx.TensorProto.UINT16: 2,
    onnx.TensorProto.UINT32: 4,
    onnx.TensorProto.UINT64: 8,
    onnx.TensorProto.BOOL: 1,
}
# Which repeated field holds the values when raw_data is not used.
_TYPED_FIELD = {
    onnx.TensorProto.FLOAT: "float_data",
    onnx.TensorProto.DOUBLE: "double_data",
    onnx.TensorProto.FLOAT16: "int32_data",
    onnx.TensorProto.BFLOAT16: "int32_data",
    onnx.TensorProto.INT8: "int32_data",
    onnx.TensorProto.INT16: "int32_data",
    onnx.TensorProto.INT32: "int32_data",
    onnx.TensorProto.INT64: "int64_data",
    onnx.TensorProto.UINT8: "int32_data",
    onnx.TensorProto.UINT16: "int32_data",
    onnx.TensorProto.UINT32: "uint64_data",
    onnx.TensorProto.UINT64: "uint64_data",
    onnx.TensorProto.BOOL: "int32_data",
}


def _type_name(data_type: int) -> str:
    try:
        return onnx.TensorProto.DataType.Name(data_type)
    except ValueError:
        return f"type {data_type}"


def _read_source(source: str | os.PathLike | bytes | bytearray | memoryview, limits: Limits):
    """Return (bytes, label) after the size check, reading a file only if it is small enough."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = "uploaded model"
        if len(data) > limits.max_bytes:
            raise ModelRejected(
                f"{label}: {len(data)} bytes is over the size limit of {limits.max_bytes} bytes"
            )
        return data, label
    path = Path(source)
    label = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ModelRejected(f"{label}: cannot read the file ({exc.strerror})") from None
    if size > limits.max_bytes:
        raise ModelRejected(
            f"{label}: {size} bytes is over the size limit of {limits.max_bytes} bytes"
        )
    with open(path, "rb") as fh:
        data = fh.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:  # the file grew while we read it
        raise ModelRejected(f"{label}: over the size limit of {limits.max_bytes} bytes")
    return data, label


def parse_model(data: bytes, label: str = "model") -> onnx.ModelProto:
    """Parse bytes into a ModelProto without touching external data; refuse unreadable bytes."""
    model = onnx.ModelProto()
    if not data:
        raise ModelRejected(f"{label}: the file is empty")
    try:
        model.ParseFromString(data)
    except Exception as exc:  # google.protobuf.message.DecodeError and friends
        raise ModelRejected(
            f"{label}: not a readable ONNX file (truncated or corrupt protobuf: {exc})"
        ) from None
    return model


class _TensorBudget:
    def __init__(self, limits: Limits, label: str):
        self.limits = limits
        self.label = label
        self.total = 0

    def check(self, tensor: onnx.TensorProto, where: str, dense_dims=None) -> None:
        name = tensor.name or "(unnamed)"
        what = f"{self.label}: {where} tensor '{name}'"
        if tensor.data_location == onnx.TensorProto.EXTERNAL or len(tensor.external_data):
            ref = ""
            for entry in tensor.external_data:
                if entry.key == "location":
                    ref = f" (location {entry.value!r})"
            raise ModelRejected(
                f"{what} refers to external data{ref}; nnweb only accepts self-contained "
                "models with every weight inside the .onnx file"
            )
        dims = list(tensor.dims if dense_dims is None else dense_dims)
        if any(d < 0 for d in dims):
            raise ModelRejected(f"{what} has negative dims {dims}")
        n = math.prod(dims)  # Python ints: no overflow, nothing allocated
        if n > self.limits.max_tensor_elements:
            raise ModelRejected(
                f"{what} declares dims {dims} = {n} elements, over the per-tensor limit of "
                f"{self.limits.max_tensor_elements}"
            )
        self.total += n
        if self.total > self.limits.max_total_elements:
            raise ModelRejected(
                f"{what}: the model's tensors hold more than {self.limits.max_total_elements} "
                "elements in total"
            )
        if dense_dims is not None:
            return  # sparse values/indices are checked as their own tensors
        if tensor.data_type not in _ITEMSIZE:
            raise ModelRejected(
                f"{what} has element type {_type_name(tensor.data_type)}, which nnweb does "
                "not accept"
            )
        if tensor.HasField("raw_data"):
            expected = n * _ITEMSIZE[tensor.data_type]
            if len(tensor.raw_data) != expected:
                raise ModelRejected(
                    f"{what} declares dims {dims} ({n} elements, {expected} bytes) but holds "
                    f"{len(tensor.raw_data)} bytes of data"
                )
        else:
            held = len(getattr(tensor, _TYPED_FIELD[tensor.data_type]))
            if held != n:
                raise ModelRejected(
                    f"{what} declares dims {dims} ({n} elements) but holds {held} values"
                )

    def check_sparse(self, sparse: onnx.SparseTensorProto, where: str) -> None:
        self.check(sparse.values, where + " sparse values")
        self.check(sparse.indices, where + " sparse indices")
        self.check(sparse.values, where + " sparse (dense size)", dense_dims=sparse.dims)


def _check_attributes(node: onnx.NodeProto, budget: _TensorBudget, label: str) -> None:
    where = f"node '{node.name or node.op_type}' ({node.op_type})"
    for attr in node.attribute:
        if attr.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) or (
            attr.HasField("g") or len(attr.graphs)
        ):
            raise ModelRejected(
                f"{label}: {where} has a subgraph attribute '{attr.name}'; nested graphs are "
                "not accepted"
            )
        if attr.ref_attr_name:
            raise ModelRejected(
                f"{label}: {where} attribute '{attr.name}' refers to a function attribute"
            )
        if attr.HasField("t"):
            budget.check(attr.t, f"{where} attribute '{attr.name}'")
        for t in attr.tensors:
            budget.check(t, f"{where} attribute '{attr.name}'")
        if attr.HasField("sparse_tensor"):
            budget.check_sparse(attr.sparse_tensor, f"{where} attribute '{attr.name}'")
        for st in attr.sparse_tensors:
            budget.check_sparse(st, f"{where} attribute '{attr.name}'")


def validate_model(model: onnx.ModelProto, limits: Limits = DEFAULT_LIMITS, label="model"):
    """Run checks 3-7 on an already parsed ModelProto; return it unchanged when it passes."""
    if not model.HasField("graph"):
        raise ModelRejected(f"{label}: no graph in the file (is it an ONNX model?)")
    graph = model.graph
    if len(model.functions):
        names = ", ".join(f.name for f in model.functions)
        raise ModelRejected(f"{label}: model-local functions ({names}) are not accepted")
    if len(model.training_info):
        raise ModelRejected(f"{label}: training-info graphs are not accepted")
    if not len(graph.node):
        raise ModelRejected(f"{label}: the graph has no nodes")
    if not len(graph.input) or not len(graph.output):
        raise ModelRejected(f"{label}: the graph needs at least one input and one output")
    if len(graph.node) > limits.max_nodes:
        raise ModelRejected(
            f"{label}: {len(graph.node)} nodes is over the limit of {limits.max_nodes}"
        )
    if model.ir_version > onnx.IR_VERSION:
        raise ModelRejected(
            f"{label}: IR version {model.ir_version} is newer than this server understands "
            f"({onnx.IR_VERSION})"
        )

    # Domains and opset.
    max_opset = onnx.defs.onnx_opset_version()
    default_opset = None
    for imp in model.opset_import:
        if imp.domain not in limits.allowed_domains:
            raise ModelRejected(
                f"{label}: operator domain '{imp.domain}' is not accepted (custom operators "
                "cannot be checked); only the standard ONNX domain is"
            )
        default_opset = imp.version
    if default_opset is None:
        raise ModelRejected(f"{label}: the model imports no ONNX operator set")
    if not MIN_OPSET <= default_opset <= max_opset:
        raise ModelRejected(
            f"{label}: opset {default_opset} is outside the supported range "
            f"{MIN_OPSET}..{max_opset}"
        )

    # Tensors: external data, element counts, data length.
    budget = _TensorBudget(limits, label)
    for t in graph.initializer:
        budget.check(t, "initializer")
    for st in graph.sparse_initializer:
        budget.check_sparse(st, "sparse initializer")
    for node in graph.node:
        _check_attributes(node, budget, label)

    # Operators.
    for node in graph.node:
        where = f"node '{node.name or '(unnamed)'}'"
        if node.domain not in limits.allowed_domains:
            raise ModelRejected(
                f"{label}: {where} uses operator '{node.op_type}' from custom domain "
                f"'{node.domain}'; only the standard ONNX domain is accepted"
            )
        if node.op_type not in limits.allowed_ops:
            raise ModelRejected(
                f"{label}: {where} uses operator '{node.op_type}', which is not on nnweb's "
                "operator allow-list"
            )

    # Graph readable: the official checker with shape inference.
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as exc:  # ValidationError, InferenceError
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelRejected(f"{label}: the ONNX checker refused the graph: {first}") from None
    _check_sizes_from_data(model, limits, label)
    return model


def _constant_values(model: onnx.ModelProto) -> dict:
    """Small integer/float constants by tensor name (initializers and Constant nodes)."""
    from onnx import numpy_helper

    out = {}
    for t in model.graph.initializer:
        if math.prod(t.dims) <= 16:
            out[t.name] = numpy_helper.to_array(t)
    for node in model.graph.node:
        if node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value" and math.prod(attr.t.dims) <= 16:
                    out[node.output[0]] = numpy_helper.to_array(attr.t)
                elif attr.name in ("value_int", "value_float"):
                    out[node.output[0]] = onnx.helper.get_attribute_value(attr)
                elif (
                    attr.name in ("value_ints", "value_floats")
                    and len(attr.ints or attr.floats) <= 16
                ):
                    out[node.output[0]] = list(onnx.helper.get_attribute_value(attr))
    return out


def _check_sizes_from_data(model: onnx.ModelProto, limits: Limits, label: str) -> None:
    """Refuse Range/Expand/ConstantOfShape/Tile that would build tensors over the limit, and
    any input, intermediate or output tensor whose inferred static shape is over it."""
    import numpy as np

    graph = model.graph
    cap = limits.max_inferred_elements
    consts = (
        _constant_values(model) if any(n.op_type in SIZE_FROM_DATA_OPS for n in graph.node) else {}
    )
    for node in graph.node:
        if node.op_type not in SIZE_FROM_DATA_OPS:
            continue
        where = f"{label}: node '{node.name or '(unnamed)'}' ({node.op_type})"
        n = None
        try:
            if node.op_type == "Range" and all(i in consts for i in node.input[:3]):
                start, limit, delta = (
                    float(np.asarray(consts[i]).reshape(())) for i in node.input[:3]
                )
                n = max(math.ceil((limit - start) / delta), 0) if delta else math.inf
            elif node.op_type in ("Expand", "ConstantOfShape") and node.input[-1] in consts:
                shape = [int(v) for v in np.asarray(consts[node.input[-1]]).reshape(-1)]
                n = math.prod(max(v, 1) for v in shape)
            elif node.op_type == "Tile" and node.input[1] in consts:
                reps = [int(v) for v in np.asarray(consts[node.input[1]]).reshape(-1)]
                n = math.prod(max(v, 1) for v in reps)  # times the input's size, checked below
        except (TypeError, ValueError, OverflowError):
            raise ModelRejected(f"{where}: its size arguments cannot be read") from None
        if n is not None and n > cap:
            raise ModelRejected(
                f"{where} would build a tensor of {n} elements, over the limit of {cap}"
            )
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False, data_prop=True)
    except Exception:  # inference already passed in the checker; data propagation is a bonus
        return
    tensors = [*inferred.graph.input, *inferred.graph.value_info, *inferred.graph.output]
    for vi in tensors:
        t = vi.type.tensor_type
        if not t.HasField("shape"):
            continue
        dims = [d.dim_value for d in t.shape.dim if d.HasField("dim_value")]
        if len(dims) == len(t.shape.dim) and math.prod(dims) > cap:
            raise ModelRejected(
                f"{label}: tensor '{vi.name}' would hold {math.prod(dims)} elements "
                f"(shape {dims}), over the limit of {cap}"
            )


def validate(
    source: str | os.PathLike | bytes | bytearray | memoryview,
    limits: Limits | None = None,
) -> onnx.ModelProto:
    """Check an untrusted ONNX file (path or bytes); return the parsed ``ModelProto``.

    Raises :class:`ModelRejected` with a message naming the problem and where it is.
    """
    limits = limits or DEFAULT_LIMITS
    data, label = _read_source(source, limits)
    model = parse_model(data, label)
    return validate_model(model, limits, label)
