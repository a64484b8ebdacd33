"""Load an ONNX model into an engine ``Sequential`` (validated first).

Accepted: one input, one output and a chain of these operators, as exporters write them
(engine.onnx.export, torch.onnx, tf2onnx):

  Gemm(x, B, C)        -> Dense   (transA=0, alpha=beta=1; transB=1: W = B, transB=0: W = B^T)
  MatMul(x, B) [+ Add(bias)] -> Dense (W = B^T)
  Conv(x, W, B)        -> Conv2D  (square kernel, equal strides, dilations 1, group 1;
                                   auto_pad VALID / SAME_UPPER / NOTSET with pads that are
                                   symmetric (int) or SAME_UPPER's)
  Add(bias) after Dense/Conv -> its bias (as Gemm's C: only a bias that broadcasts one
                          value per unit, (1, n) over (N, n) or (1, C, 1, 1) over images)
  MaxPool / AveragePool -> MaxPool2D / AvgPool2D (square, no padding, floor mode)
  Flatten(axis=1), or a Reshape that provably keeps the batch and flattens the rest
  ((N, -1), (0, -1), (-1, C*H*W), or torch's Shape -> Gather -> Concat form) -> Flatten
  Relu, LeakyRelu(alpha), Sigmoid, Tanh, Softplus, Softmax -> the preceding layer's activation
                          (Softmax over axis 1; before opset 13, on (N, C, H, W) only where
                          H = W = 1, since Softmax-1/11 normalises all of C*H*W together)
  Identity, Dropout    -> dropped (Dropout only in inference mode: training_mode absent or a
                          constant false; before opset 7, is_test=1)
  BatchNormalization (inference) right after a Dense/Conv -> folded into its W and b:
                          s = scale / sqrt(var + eps),  W' = s W,  b' = s (b - mean) + B

An elementwise activation that comes after a MaxPool or a Flatten (torch's conv -> pool -> relu)
is moved onto the conv before them: f(max(x)) = max(f(x)) for every monotone f, and Flatten only
reorders values. Shape arithmetic feeding a Reshape (Shape, Gather, Unsqueeze, Concat, ...) is
evaluated with the batch size as a symbol (engine/onnx/reshape.py). Anything else is refused
with a ``ModelRejected`` (a ValueError) naming the operator and the node.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import numpy_helper

from .ops import ACTIVATION_OPS
from .reshape import ShapeUnknown, evaluate_target, flatten_problem, show
from .validate import (
    DEFAULT_LIMITS,
    Limits,
    ModelRejected,
    _read_source,
    parse_model,
    validate_model,
)

__all__ = ["LoadedModel", "load", "load_model", "read_metadata"]

_ACT_NAMES = {
    "Relu": "relu",
    "LeakyRelu": "leaky_relu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Softplus": "softplus",
    "Softmax": "softmax",
}
# Monotone non-decreasing activations commute with max pooling and with Flatten.
_MONOTONE = {"relu", "leaky_relu", "sigmoid", "tanh", "softplus"}
# Operators allowed only in the shape computation that feeds a Reshape's target shape.
_SHAPE_OPS = {
    "Shape",
    "Gather",
    "Unsqueeze",
    "Squeeze",
    "Concat",
    "Constant",
    "Cast",
    "Slice",
    "Mul",
    "Div",
    "Identity",
}


@dataclass
class LoadedModel:
    """The engine network plus what the file says about its input and classes."""

    net: object
    input_name: str
    output_name: str
    input_shape: tuple  # per-sample shape, None where dynamic
    input_layout: str  # "ND" or "NCHW"
    class_names: list[str] | None
    metadata: dict[str, str] = field(default_factory=dict)


def read_metadata(model: onnx.ModelProto) -> dict[str, str]:
    return {p.key: p.value for p in model.metadata_props}


def _node_label(node: onnx.NodeProto) -> str:
    return f"node '{node.name or '(unnamed)'}' ({node.op_type})"


def _refuse(node: onnx.NodeProto, msg: str) -> ModelRejected:
    return ModelRejected(f"{_node_label(node)}: {msg}")


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _dims(value_info) -> tuple:
    t = value_info.type.tensor_type
    if not t.HasField("shape"):
        return ()
    out = []
    for d in t.shape.dim:
        out.append(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None)
    return tuple(out)


def _unit_bias(bias: np.ndarray, n_out: int, rank: int) -> np.ndarray | None:
    """``bias`` as one value per unit, where adding it to a (N, n_out) (rank 2) or
    (N, n_out, H, W) (rank 4) output broadcasts that way and keeps the output's shape; else
    None. ONNX broadcasting aligns trailing dims, so a per-unit bias is (n_out,) / (1, n_out)
    for dense outputs but (n_out, 1, 1) / (1, n_out, 1, 1) for images; a single value
    broadcasts everywhere."""
    if bias.ndim > rank:
        return None  # would add leading dims to the output
    dims = (1,) * (rank - bias.ndim) + bias.shape
    unit_axis = 1 if rank == 4 else rank - 1
    if any(d != 1 for i, d in enumerate(dims) if i != unit_axis):
        return None
    if dims[unit_axis] not in (1, n_out):
        return None
    return np.broadcast_to(bias.reshape(-1), (n_out,)).astype(np.float64)


class _Builder:
    """Walks the node chain and collects engine layer descriptions."""

    def __init__(self, model: onnx.ModelProto):
        self.model = model
        g = model.graph
        self.consts: dict[str, np.ndarray] = {
            t.name: numpy_helper.to_array(t) for t in g.initializer
        }
        self.layers: list[dict] = []  # {"type", args..., "W", "b", "node"}
        self.current: str | None = None
        self.rank: int | None = None
        # per-sample shape of every tensor of the layer chain (dim 0 of each is the batch)
        self.chain_shapes: dict[str, tuple] = {}
        self.static_batch: int | None = None  # the input's dim 0 where the file fixes it
        self.producers = {out: n for n in g.node for out in n.output if out}

    # --- constants -------------------------------------------------------------------
    def const(self, name: str, node) -> np.ndarray:
        if name not in self.consts:
            raise _refuse(node, f"input '{name}' must be a constant (initializer or Constant)")
        return self.consts[name]

    def add_constant_node(self, node) -> None:
        attrs = _attrs(node)
        if "value" in attrs:
            val = numpy_helper.to_array(attrs["value"])
        elif "value_float" in attrs:
            val = np.array(attrs["value_float"], np.float32)
        elif "value_floats" in attrs:
            val = np.array(attrs["value_floats"], np.float32)
        elif "value_int" in attrs:
            val = np.array(attrs["value_int"], np.int64)
        elif "value_ints" in attrs:
            val = np.array(attrs["value_ints"], np.int64)
        else:
            raise _refuse(node, f"unsupported Constant attribute(s) {sorted(attrs)}")
        self.consts[node.output[0]] = val

    # --- chain helpers ---------------------------------------------------------------
    def main_input(self, node, data_index: int = 0) -> None:
        if len(node.input) <= data_index or node.input[data_index] != self.current:
            raise _refuse(
                node,
                f"expects the previous layer's output '{self.current}' as input "
                f"{data_index}; only a single chain of layers can be loaded",
            )

    def advance(self, node) -> None:
        self.current = node.output[0]

    def last_param_layer(self):
        for spec in reversed(self.layers):
            if spec["type"] in ("Dense", "Conv2D"):
                return spec
        return None

    # --- operators -------------------------------------------------------------------
    def gemm(self, node) -> None:
        a = _attrs(node)
        self.main_input(node)
        if a.get("transA", 0):
            raise _refuse(node, "transA=1 is not supported")
        if float(a.get("alpha", 1.0)) != 1.0 or float(a.get("beta", 1.0)) != 1.0:
            raise _refuse(node, f"alpha={a.get('alpha', 1.0)}, beta={a.get('beta', 1.0)}: only 1")
        if self.rank != 2:
            raise _refuse(node, "a dense layer needs flat (N, features) inputs; add Flatten")
        B = self.const(node.input[1], node)
        if B.ndim != 2:
            raise _refuse(node, f"weight must be 2-D, got shape {B.shape}")
        W = B if a.get("transB", 0) else B.T
        n_out, n_in = W.shape
        if len(node.input) > 2 and node.input[2]:
            C = np.asarray(self.const(node.input[2], node))
            b = _unit_bias(C, n_out, 2)
            if b is None:
                raise _refuse(
                    node,
                    f"C of shape {C.shape} is not one bias per output unit: it must broadcast "
                    f"as (1, {n_out}) over the (N, {n_out}) result; (K, 1) would add one value "
                    "per sample",
                )
        else:
            b = np.zeros(n_out)
        self.layers.append(
            {"type": "Dense", "n_in": n_in, "n_out": n_out, "W": W, "b": b, "node": node}
        )
        self.advance(node)

    def matmul(self, node) -> None:
        self.main_input(node)
        if self.rank != 2:
            raise _refuse(node, "a dense layer needs flat (N, features) inputs")
        B = self.const(node.input[1], node)
        if B.ndim != 2:
            raise _refuse(node, f"weight must be 2-D, got shape {B.shape}")
        W = B.T
        self.layers.append(
            {
                "type": "Dense",
                "n_in": W.shape[1],
                "n_out": W.shape[0],
                "W": W,
                "b": np.zeros(W.shape[0]),
                "node": node,
                "open_bias": True,
            }
        )
        self.advance(node)

    def add(self, node) -> None:
        if node.input[0] == self.current:
            other = node.input[1]
        elif node.input[1] == self.current:
            other = node.input[0]
        else:
            raise _refuse(node, "only a bias added to the previous layer's output is supported")
        last = self.layers[-1] if self.layers else None
        if last is None or last["type"] not in ("Dense", "Conv2D") or "activation" in last:
            raise _refuse(node, "an Add is only supported as the bias of a Dense/Conv layer")
        bias = np.asarray(self.const(other, node))
        n_out = last["n_out"] if last["type"] == "Dense" else last["out_channels"]
        b = _unit_bias(bias, n_out, 2 if last["type"] == "Dense" else 4)
        if b is None:
            want = f"(1, {n_out})" if last["type"] == "Dense" else f"(1, {n_out}, 1, 1)"
            raise _refuse(
                node,
                f"bias of shape {bias.shape} does not fit {n_out} outputs: it must broadcast as "
                f"{want}, one value per unit/channel, without changing the output's shape",
            )
        last["b"] = last["b"] + b
        self.advance(node)

    def batchnorm(self, node) -> None:
        self.main_input(node)
        a = _attrs(node)
        if a.get("training_mode", 0):
            raise _refuse(node, "training_mode=1: only inference-mode batch norm can be loaded")
        if len([o for o in node.output if o]) > 1:
            raise _refuse(node, "running-statistics outputs are not supported")
        last = self.layers[-1] if self.layers else None
        if last is None or last["type"] not in ("Dense", "Conv2D") or "activation" in last:
            raise _refuse(
                node,
                "batch normalization can only be loaded right after a Dense/Conv layer (before "
                "its activation), where it folds into W and b",
            )
        scale, B, mean, var = (np.asarray(self.const(n, node), np.float64) for n in node.input[1:5])
        n_out = last["W"].shape[0]
        if not all(v.size == n_out for v in (scale, B, mean, var)):
            raise _refuse(node, f"parameters do not match the {n_out} channels/units before it")
        eps = float(a.get("epsilon", 1e-5))
        s = scale.reshape(-1) / np.sqrt(var.reshape(-1) + eps)
        W = np.asarray(last["W"], np.float64)
        last["W"] = W * s.reshape((-1,) + (1,) * (W.ndim - 1))
        last["b"] = (np.asarray(last["b"], np.float64) - mean.reshape(-1)) * s + B.reshape(-1)
        self.advance(node)

    def conv(self, node, in_shape) -> None:
        a = _attrs(node)
        self.main_input(node)
        if self.rank != 4:
            raise _refuse(node, "only 2-D convolutions on (N, C, H, W) inputs are supported")
        W = self.const(node.input[1], node)
        if W.ndim != 4:
            raise _refuse(node, f"only 2-D convolutions are supported (weight shape {W.shape})")
        group = int(a.get("group", 1))
        if group != 1:
            raise _refuse(node, f"group={group} (grouped/depthwise convolution) is not supported")
        dil = list(a.get("dilations", [1, 1]))
        if any(d != 1 for d in dil):
            raise _refuse(node, f"dilations={dil} is not supported (only 1)")
        out_c, in_c, kh, kw = W.shape
        if kh != kw:
            raise _refuse(node, f"kernel {kh}x{kw} is not square")
        ks = list(a.get("kernel_shape", [kh, kw]))
        if ks != [kh, kw]:
            raise _refuse(node, f"kernel_shape={ks} does not match the weight {W.shape}")
        strides = list(a.get("strides", [1, 1]))
        if len(strides) != 2 or strides[0] != strides[1]:
            raise _refuse(node, f"strides={strides}: only equal strides are supported")
        s = int(strides[0])
        auto_pad = a.get("auto_pad", b"NOTSET")
        auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else str(auto_pad)
        pads = list(a.get("pads", [0, 0, 0, 0]))
        if auto_pad == "VALID":
            padding = "valid"
        elif auto_pad == "SAME_UPPER":
            padding = "same"
        elif auto_pad == "NOTSET":
            padding = self._padding_from_pads(node, pads, kh, s, in_shape)
        else:
            raise _refuse(node, f"auto_pad={auto_pad} is not supported (SAME_LOWER pads first)")
        if len(node.input) > 2 and node.input[2]:
            b = self.const(node.input[2], node).reshape(-1)
        else:
            b = np.zeros(out_c)
        self.layers.append(
            {
                "type": "Conv2D",
                "in_channels": in_c,
                "out_channels": out_c,
                "kernel_size": kh,
                "stride": s,
                "padding": padding,
                "W": W,
                "b": b,
                "node": node,
            }
        )
        self.advance(node)

    def _padding_from_pads(self, node, pads, k, s, in_shape):
        if len(pads) != 4:
            raise _refuse(node, f"pads={pads}: expected 4 values for a 2-D convolution")
        top, left, bottom, right = (int(p) for p in pads)
        if top == left == bottom == right:
            return "valid" if top == 0 else top
        # SAME_UPPER written out explicitly (the odd pixel at the end).
        from ..layers.conv import same_pads

        if s == 1:
            lo, hi = same_pads(1, k, 1)
            if (top, bottom) == (lo, hi) and (left, right) == (lo, hi):
                return "same"
        elif in_shape is not None and len(in_shape) == 3 and None not in in_shape[1:]:
            H, Wd = in_shape[1:]
            if (top, bottom) == same_pads(H, k, s) and (left, right) == same_pads(Wd, k, s):
                return "same"
        raise _refuse(
            node,
            f"pads={pads} (top, left, bottom, right) are neither symmetric nor SAME_UPPER; "
            "the engine's Conv2D cannot represent them",
        )

    def pool(self, node, kind) -> None:
        a = _attrs(node)
        self.main_input(node)
        if self.rank != 4:
            raise _refuse(node, "pooling needs (N, C, H, W) inputs")
        if len([o for o in node.output if o]) > 1:
            raise _refuse(node, "the Indices output of MaxPool is not supported")
        ks = list(a.get("kernel_shape", []))
        if len(ks) != 2 or ks[0] != ks[1]:
            raise _refuse(node, f"kernel_shape={ks}: only square 2-D windows are supported")
        strides = list(a.get("strides", [1, 1]))
        if len(strides) != 2 or strides[0] != strides[1]:
            raise _refuse(node, f"strides={strides}: only equal strides are supported")
        pads = list(a.get("pads", [0, 0, 0, 0]))
        auto_pad = a.get("auto_pad", b"NOTSET")
        auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else str(auto_pad)
        if any(pads) or auto_pad not in ("NOTSET", "VALID"):
            raise _refuse(node, f"padding (pads={pads}, auto_pad={auto_pad}) is not supported")
        if any(d != 1 for d in a.get("dilations", [1, 1])):
            raise _refuse(node, f"dilations={list(a['dilations'])} is not supported")
        if a.get("ceil_mode", 0):
            raise _refuse(node, "ceil_mode=1 is not supported (the engine floors)")
        if a.get("storage_order", 0):
            raise _refuse(node, "storage_order=1 is not supported")
        size, stride = int(ks[0]), int(strides[0])
        self.layers.append(
            {"type": kind, "size": size, "stride": None if stride == size else stride, "node": node}
        )
        self.advance(node)

    def flatten(self, node) -> None:
        self.main_input(node)
        axis = int(_attrs(node).get("axis", 1))
        if axis != 1:
            raise _refuse(node, f"axis={axis}: only Flatten(axis=1) (keep the batch) is supported")
        if self.rank != 2:
            self.layers.append({"type": "Flatten", "node": node})
        self.rank = 2
        self.advance(node)

    def reshape(self, node, shape) -> None:
        """Only a per-sample flatten loads (see .reshape): anything else would be a Flatten
        giving another shape than the file's."""
        self.main_input(node)
        try:
            target = evaluate_target(
                node.input[1], self.consts, self.producers, self.chain_shapes, self._opset()
            )
        except ShapeUnknown as exc:
            raise _refuse(
                node, f"its target shape cannot be evaluated by the loader: {exc}"
            ) from None
        allowzero = bool(_attrs(node).get("allowzero", 0))
        problem = flatten_problem(target, shape, allowzero, self.static_batch)
        if problem is not None:
            per_sample = ", ".join("?" if d is None else str(d) for d in shape)
            raise _refuse(
                node,
                f"reshape of (N, {per_sample}) to {show(target)} (allowzero={int(allowzero)}): "
                f"{problem}; only a flatten that keeps the batch, (N, -1), loads as the engine's "
                "Flatten",
            )
        if self.rank != 2:
            self.layers.append({"type": "Flatten", "node": node})
        self.rank = 2
        self.advance(node)

    def activation(self, node, shape) -> None:
        """``shape``: the per-sample shape of the input where known (None entries otherwise)."""
        self.main_input(node)
        name = _ACT_NAMES[node.op_type]
        a = _attrs(node)
        alpha = None
        if name == "leaky_relu":
            # ONNX float attributes are float32: 0.01 arrives as 0.009999999776...; keep the
            # shortest decimal that rounds to the same float32.
            alpha = float(str(np.float32(a.get("alpha", 0.01))))
        if name == "softmax":
            self._check_softmax_axis(node, a, shape)
        # Find the layer whose activation this is.
        target = None
        if self.layers and self.layers[-1]["type"] in ("Dense", "Conv2D"):
            target = self.layers[-1]
        elif name in _MONOTONE and (alpha is None or alpha >= 0) and self.layers:
            # move through MaxPool/Flatten back to a conv (f(max x) = max f(x))
            for spec in reversed(self.layers):
                if spec["type"] in ("MaxPool2D", "Flatten"):
                    continue
                if spec["type"] in ("Dense", "Conv2D"):
                    target = spec
                break
        if target is None:
            raise _refuse(
                node,
                "an activation must follow a Dense/Conv layer (possibly through MaxPool or "
                "Flatten); nothing to attach it to here",
            )
        if "activation" in target:
            raise _refuse(
                node,
                f"the preceding layer already has activation {target['activation']!r}; two "
                "activations in a row are not supported",
            )
        target["activation"] = name
        if alpha is not None:
            target["alpha"] = alpha
        self.advance(node)

    def _check_softmax_axis(self, node, a, shape) -> None:
        """The engine's softmax normalises axis 1: the features of (N, K), or each pixel's
        channels of (N, C, H, W). Accept a Softmax only where ONNX normalises the same values.

        From opset 13, ONNX normalises the one axis ``axis`` (default -1). Before opset 13 it
        coerces the input to 2-D at ``axis`` (default 1): (prod(dims[:axis]),
        prod(dims[axis:])), so Softmax(axis=1) on (N, C, H, W) normalises all C*H*W values of a
        sample together, which equals the per-pixel softmax only when H*W = 1."""
        opset = self._opset()
        axis = int(a.get("axis", -1 if opset >= 13 else 1))
        rank = self.rank
        if not -rank <= axis < rank:
            raise _refuse(node, f"axis={axis} is out of range for a rank-{rank} input")
        axis %= rank
        if rank == 2:
            if axis != 1:
                raise _refuse(node, f"axis={axis}: softmax is supported over the features (axis 1)")
            return
        if opset >= 13:
            if axis != 1:
                raise _refuse(
                    node,
                    f"axis={a.get('axis', -1)}: softmax of (N, C, H, W) is supported over the "
                    "channels (axis 1) only",
                )
            return
        if axis == 1 and len(shape) == 3 and shape[1] == 1 and shape[2] == 1:
            return  # (N, C, 1, 1): all C*H*W values of a sample are its channels
        spatial = "x".join("?" if d is None else str(d) for d in shape[1:]) or "?"
        raise _refuse(
            node,
            f"axis={a.get('axis', 1)} at opset {opset} on a 4-D (N, C, H, W) input "
            f"(H x W = {spatial}): before opset 13 Softmax flattens the input at the axis and "
            "normalises those values together (for axis=1: all C*H*W values of a sample); the "
            "engine's softmax normalises each pixel over its channels and cannot represent it",
        )

    def skip(self, node) -> None:
        self.main_input(node)
        if node.op_type == "Dropout":
            self._check_dropout_inference(node)
        self.advance(node)

    def _check_dropout_inference(self, node) -> None:
        """A Dropout is the identity only in inference mode; in training mode it zeroes a
        random share of the values and scales the rest, which the loaded network would not.

        Dropout-12/13 take the mode as the optional input ``training_mode`` (absent: false);
        Dropout-1/6 as the attribute ``is_test`` (default 0, i.e. training); Dropout-7/10 have
        no mode and are the identity in inference."""
        opset = self._opset()
        # (validate refuses opsets below 7 today; the check keeps the loader right on its own)
        if opset < 7 and not _attrs(node).get("is_test", 0):
            raise _refuse(
                node,
                f"is_test=0 at opset {opset} is training mode (random masking); only an "
                "inference-mode Dropout loads, as the identity",
            )
        if len(node.input) > 2 and node.input[2]:
            name = node.input[2]
            mode = np.asarray(self.const(name, node))
            if mode.size != 1 or bool(mode.reshape(())):
                raise _refuse(
                    node,
                    f"training_mode={mode.reshape(-1).tolist()} applies random masking; only an "
                    "inference-mode Dropout (training_mode false) loads, as the identity",
                )

    def _opset(self) -> int:
        for imp in self.model.opset_import:
            if imp.domain in ("", "ai.onnx"):
                return imp.version
        return 0


def _shape_side_nodes(graph: onnx.GraphProto) -> set[int]:
    """Indices of nodes that only compute a Reshape's target shape."""
    producers = {}
    for i, node in enumerate(graph.node):
        for out in node.output:
            producers[out] = i
    side: set[int] = set()
    stack = [n.input[1] for n in graph.node if n.op_type == "Reshape" and len(n.input) > 1]
    while stack:
        name = stack.pop()
        i = producers.get(name)
        if i is None or i in side:
            continue
        node = graph.node[i]
        if node.op_type not in _SHAPE_OPS:
            continue
        side.add(i)
        # Shape(x) reads the data tensor only for its shape: stop there.
        if node.op_type != "Shape":
            stack.extend(node.input)
    return side


def _build(model: onnx.ModelProto, dtype, label: str) -> LoadedModel:
    from ..layers import LAYER_TYPES
    from ..network import Sequential

    graph = model.graph
    inits = {t.name for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in inits]
    if len(inputs) != 1:
        raise ModelRejected(
            f"{label}: the model has {len(inputs)} inputs {[i.name for i in inputs]}; "
            "the engine loads single-input models"
        )
    if len(graph.output) != 1:
        raise ModelRejected(
            f"{label}: the model has {len(graph.output)} outputs; the engine loads "
            "single-output models"
        )
    inp = inputs[0]
    in_dims = _dims(inp)
    if len(in_dims) not in (2, 4):
        raise ModelRejected(
            f"{label}: input '{inp.name}' has rank {len(in_dims)}; the engine takes (N, features) "
            "or (N, C, H, W)"
        )
    sample = tuple(in_dims[1:])

    b = _Builder(model)
    b.current = inp.name
    b.rank = len(in_dims)
    b.static_batch = in_dims[0]
    b.chain_shapes[inp.name] = sample
    side = _shape_side_nodes(graph)
    shape = sample  # tracked per-sample shape where known (for SAME pads with stride > 1)
    for i, node in enumerate(graph.node):
        if i in side:
            if node.op_type == "Constant":
                b.add_constant_node(node)
            continue
        op = node.op_type
        if node.domain not in ("", "ai.onnx"):
            raise _refuse(node, f"operator domain '{node.domain}' is not supported")
        if op == "Constant":
            b.add_constant_node(node)
        elif op == "Identity" and node.input[0] in b.consts and node.input[0] != b.current:
            b.consts[node.output[0]] = b.consts[node.input[0]]  # torch's copies of weights
        elif op == "Gemm":
            b.gemm(node)
        elif op == "MatMul":
            b.matmul(node)
        elif op == "Add":
            b.add(node)
        elif op == "Conv":
            b.conv(node, shape if len(shape) == 3 else None)
        elif op == "MaxPool":
            b.pool(node, "MaxPool2D")
        elif op == "AveragePool":
            b.pool(node, "AvgPool2D")
        elif op == "Flatten":
            b.flatten(node)
        elif op == "Reshape":
            b.reshape(node, shape)
        elif op in ACTIVATION_OPS:
            b.activation(node, shape)
        elif op in ("Identity", "Dropout"):
            b.skip(node)
        elif op == "BatchNormalization":
            b.batchnorm(node)
        else:
            raise _refuse(node, "this operator is not supported by the engine loader")
        shape = _next_shape(b, shape, op)
        b.chain_shapes[b.current] = shape
    if b.current != graph.output[0].name:
        raise ModelRejected(
            f"{label}: the graph output '{graph.output[0].name}' is not the end of the layer chain "
            f"('{b.current}')"
        )
    if not b.layers:
        raise ModelRejected(f"{label}: no layers found in the graph")

    layers = []
    params = {}
    for l, spec in enumerate(b.layers, start=1):
        node = spec["node"]
        kind = spec["type"]
        args = {k: v for k, v in spec.items() if k not in ("type", "W", "b", "node", "open_bias")}
        try:
            layer = LAYER_TYPES[kind](**args)
        except (TypeError, ValueError) as exc:
            raise _refuse(node, f"cannot build {kind}: {exc}") from None
        layers.append(layer)
        if "W" in spec:
            params[f"W{l}"] = np.asarray(spec["W"], dtype=np.float64)
            params[f"b{l}"] = np.asarray(spec["b"], dtype=np.float64)

    meta = read_metadata(model)
    _apply_spec_hints(layers, meta, sample)
    loss = meta.get("loss")
    if loss not in ("cross_entropy", "half_sse"):
        loss = "cross_entropy" if layers[-1].activation == "softmax" else "half_sse"
    if loss == "cross_entropy" and layers[-1].activation != "softmax":
        loss = "half_sse"
    try:
        net = Sequential(layers, loss, seed=0, dtype=dtype)
        net.set_params(params)
        if None not in sample and sample:
            net.output_shapes(sample)
    except ValueError as exc:
        raise ModelRejected(
            f"{label}: the layers do not form a valid engine network: {exc}"
        ) from None

    class_names = None
    if "class_names" in meta:
        try:
            names = json.loads(meta["class_names"])
            if isinstance(names, list):
                class_names = [str(c) for c in names]
        except json.JSONDecodeError:
            class_names = None
    layout = meta.get("input_layout") or ("ND" if len(sample) == 1 else "NCHW")
    return LoadedModel(
        net=net,
        input_name=inp.name,
        output_name=graph.output[0].name,
        input_shape=sample,
        input_layout=layout,
        class_names=class_names,
        metadata=meta,
    )


def _apply_spec_hints(layers, meta, sample) -> None:
    """For nnweb's own exports, keep the architecture's words: where a conv's padding in the
    graph is equivalent to the spec's ("valid" = 0, "same" = the pads it gives), use the spec's;
    likewise alpha where the graph does not use it or holds the same float32 value."""
    if meta.get("producer") != "nnweb" or "engine_spec" not in meta:
        return
    try:
        spec_layers = json.loads(meta["engine_spec"])["layers"]
    except (ValueError, KeyError, TypeError):
        return
    if not isinstance(spec_layers, list) or len(spec_layers) != len(layers):
        return
    for layer, ls in zip(layers, spec_layers):
        if not isinstance(ls, dict) or ls.get("type") != type(layer).__name__:
            return
    from ..layers.conv import resolve_pads

    shape = sample if sample and None not in sample else None
    for layer, ls in zip(layers, spec_layers):
        alpha = ls.get("alpha")
        if (
            isinstance(alpha, int | float)
            and layer.has_params
            and (layer.activation != "leaky_relu" or np.float32(alpha) == np.float32(layer.alpha))
        ):
            layer.alpha = float(alpha)  # unused by the graph, or equal in float32
        if type(layer).__name__ == "Conv2D" and ls.get("padding") != layer.padding:
            want, have, k, s = ls.get("padding"), layer.padding, layer.kernel_size, layer.stride
            same = {want, have} == {"valid", 0}
            if not same and want == "same" and s == 1 and k % 2 == 1:
                same = have == (k - 1) // 2
            if not same and want in ("same", "valid") and shape is not None and len(shape) == 3:
                same = resolve_pads(want, shape[1], shape[2], k, k, s) == resolve_pads(
                    have, shape[1], shape[2], k, k, s
                )
            if same:
                layer.padding = want
        if shape is not None:
            try:
                shape = layer.output_shape(shape)
            except ValueError:
                shape = None


def _next_shape(b: _Builder, shape: tuple, op: str) -> tuple:
    """Per-sample shape after the last node, where it can be known (None entries otherwise)."""
    if not b.layers or op in ("Identity", "Dropout", "Constant") or op in ACTIVATION_OPS:
        return shape
    spec = b.layers[-1]
    if spec["node"].op_type != op:
        return shape
    try:
        if spec["type"] == "Dense":
            return (spec["n_out"],)
        if spec["type"] == "Flatten":
            return (int(np.prod(shape)),) if None not in shape else (None,)
        if None in shape or len(shape) != 3:
            c = spec.get("out_channels", shape[0] if shape else None)
            return (c, None, None)
        from ..layers import LAYER_TYPES

        args = {k: v for k, v in spec.items() if k not in ("type", "W", "b", "node", "open_bias")}
        return LAYER_TYPES[spec["type"]](**args).output_shape(shape)
    except (ValueError, TypeError, IndexError):
        return tuple(None for _ in shape)


def load_model(
    source,
    dtype=np.float64,
    limits: Limits | None = None,
) -> LoadedModel:
    """Validate and load ``source`` (path, bytes or ModelProto): the network and its metadata."""
    limits = limits or DEFAULT_LIMITS
    if isinstance(source, onnx.ModelProto):
        label = "model"
        model = validate_model(source, limits, label)
    else:
        data, label = _read_source(source, limits)
        model = validate_model(parse_model(data, label), limits, label)
    return _build(model, dtype, label)


def load(source: str | os.PathLike | bytes | onnx.ModelProto, dtype=np.float64, limits=None):
    """Validate and load an ONNX model into an engine ``Sequential`` (float64 by default)."""
    return load_model(source, dtype=dtype, limits=limits).net
