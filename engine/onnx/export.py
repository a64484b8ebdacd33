"""Export an engine ``Sequential`` to ONNX.

The graph follows the notes' names: layer l reads ``a{l-1}`` (``input`` for l = 1), computes
``u{l}`` with its linear part and ``a{l}`` with its activation; the last ``a`` is ``output``.
Initializers are ``W{l}`` and ``b{l}``, as in ``net.get_params()``.

  Dense      -> Gemm(a, W, b, transB=1)           (W has shape (n_out, n_in): u = a W^T + b)
  Conv2D     -> Conv(a, W, b, strides, pads)      (pads [top, left, bottom, right]; "same" is
                                                   SAME_UPPER: the odd pixel at the end; with
                                                   stride > 1 and unknown H, W: auto_pad)
  MaxPool2D  -> MaxPool(kernel_shape, strides)    AvgPool2D -> AveragePool (no padding, floor)
  Flatten    -> Flatten(axis=1)
  activations: Relu, LeakyRelu(alpha), Sigmoid, Tanh, Softplus, Softmax (axis=-1 on vectors,
               axis=1 = channels on images, as the engine computes it); identity adds nothing.

Input ``input`` and output ``output`` have a dynamic batch dimension ``N``. metadata_props:
``producer`` = "nnweb", ``input_layout`` ("NCHW" or "ND"), ``loss``, ``class_names`` (JSON,
when known), ``input_shape`` (JSON per-sample shape, null entries when dynamic) and
``engine_spec`` (``net.spec()`` as JSON).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .ops import EXPORT_OPSET

__all__ = ["export", "to_model"]

PRODUCER = "nnweb"
INPUT_NAME = "input"
OUTPUT_NAME = "output"

_ACT_OPS = {
    "relu": "Relu",
    "leaky_relu": "LeakyRelu",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "softplus": "Softplus",
    "softmax": "Softmax",
}


def _layer_kind(layer) -> str:
    return type(layer).__name__


def _first_sample_shape(net, input_shape):
    """Per-sample input shape: given, or what the first layers imply (None = dynamic)."""
    if input_shape is not None:
        return tuple(int(s) for s in input_shape)
    first = net.layers[0]
    kind = _layer_kind(first)
    if kind == "Dense":
        return (first.n_in,)
    if kind == "Conv2D":
        return (first.in_channels, None, None)
    for layer in net.layers:  # pools first: channels come from the first conv
        if _layer_kind(layer) == "Conv2D":
            return (layer.in_channels, None, None)
    if kind == "Flatten":  # an MLP on images: any (C, H, W) with C*H*W = n_in of the Dense
        return (None, None, None)
    raise ValueError(
        "export: cannot tell the input shape of this network; pass input_shape=(C, H, W)"
    )


def _conv_pads(layer, hw):
    """(attrs for Conv) for the layer's padding, given the input (H, W) or None when dynamic."""
    k, s = layer.kernel_size, layer.stride
    if layer.padding == "valid":
        return {"pads": [0, 0, 0, 0]}
    if layer.padding == "same":
        if hw is not None and None not in hw:
            pt, pb, pl, pr = layer.pads(*hw)
            return {"pads": [pt, pl, pb, pr]}
        if s == 1:  # SAME_UPPER with stride 1 does not depend on H, W
            total = k - 1
            lo, hi = total // 2, total - total // 2
            return {"pads": [lo, lo, hi, hi]}
        return {"auto_pad": "SAME_UPPER"}
    p = int(layer.padding)
    return {"pads": [p, p, p, p]}


def to_model(
    net,
    class_names=None,
    input_layout: str | None = None,
    input_shape=None,
    dtype=np.float32,
    doc: str | None = None,
    metadata: dict | None = None,
) -> onnx.ModelProto:
    """Build the ONNX ``ModelProto`` of ``net`` (see the module docstring for the mapping)."""
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"export: dtype must be float32 or float64, got {dt}")
    elem = TensorProto.FLOAT if dt == np.float32 else TensorProto.DOUBLE
    sample = _first_sample_shape(net, input_shape)
    layout = input_layout or ("ND" if len(sample) == 1 else "NCHW")
    if layout not in ("ND", "NCHW"):
        raise ValueError(f"export: input_layout must be 'ND' or 'NCHW', got {layout!r}")

    nodes, inits = [], []
    shape = sample  # per-sample shape of the current tensor; None entries are dynamic
    prev = INPUT_NAME
    L = len(net.layers)
    for l, layer in enumerate(net.layers, start=1):
        kind = _layer_kind(layer)
        where = f"export: layer {l} ({kind})"
        last = l == L
        u = f"u{l}"
        if kind == "Dense":
            inits += [
                numpy_helper.from_array(np.asarray(layer.W, dtype=dt), f"W{l}"),
                numpy_helper.from_array(np.asarray(layer.b, dtype=dt), f"b{l}"),
            ]
            nodes.append(
                helper.make_node("Gemm", [prev, f"W{l}", f"b{l}"], [u], name=f"dense{l}", transB=1)
            )
            shape = (layer.n_out,)
        elif kind == "Conv2D":
            k, s = layer.kernel_size, layer.stride
            hw = shape[1:] if len(shape) == 3 else None
            attrs = _conv_pads(layer, hw)
            inits += [
                numpy_helper.from_array(np.asarray(layer.W, dtype=dt), f"W{l}"),
                numpy_helper.from_array(np.asarray(layer.b, dtype=dt), f"b{l}"),
            ]
            nodes.append(
                helper.make_node(
                    "Conv",
                    [prev, f"W{l}", f"b{l}"],
                    [u],
                    name=f"conv{l}",
                    kernel_shape=[k, k],
                    strides=[s, s],
                    dilations=[1, 1],
                    group=1,
                    **attrs,
                )
            )
            shape = (
                layer.output_shape(shape) if None not in shape else (layer.out_channels, None, None)
            )
        elif kind in ("MaxPool2D", "AvgPool2D"):
            op = "MaxPool" if kind == "MaxPool2D" else "AveragePool"
            extra = {"count_include_pad": 0} if op == "AveragePool" else {}
            nodes.append(
                helper.make_node(
                    op,
                    [prev],
                    [u],
                    name=f"{'maxpool' if op == 'MaxPool' else 'avgpool'}{l}",
                    kernel_shape=[layer.size, layer.size],
                    strides=[layer.step, layer.step],
                    pads=[0, 0, 0, 0],
                    ceil_mode=0,
                    **extra,
                )
            )
            shape = layer.output_shape(shape) if None not in shape else (shape[0], None, None)
        elif kind == "Flatten":
            nodes.append(helper.make_node("Flatten", [prev], [u], name=f"flatten{l}", axis=1))
            shape = (int(np.prod(shape)),) if None not in shape else (None,)
        else:
            raise ValueError(f"{where}: no ONNX mapping for this layer type")

        a = OUTPUT_NAME if last else f"a{l}"
        act = layer.activation
        if act == "identity":
            nodes[-1].output[0] = a
        elif act in _ACT_OPS:
            attrs = {}
            if act == "leaky_relu":
                attrs["alpha"] = float(layer.alpha)  # stored as float32 by ONNX
            if act == "softmax":
                attrs["axis"] = -1 if len(shape) == 1 else 1
            nodes.append(helper.make_node(_ACT_OPS[act], [u], [a], name=f"{act}{l}", **attrs))
        else:
            raise ValueError(f"{where}: no ONNX mapping for activation {act!r}")
        prev = a

    def dims(s, prefix):
        return ["N", *[d if d is not None else f"{prefix}{i + 1}" for i, d in enumerate(s)]]

    if class_names is not None and len(shape) == 1 and shape[0] is not None:
        if len(class_names) != shape[0]:
            raise ValueError(
                f"export: {len(class_names)} class names for a network with {shape[0]} outputs"
            )

    graph = helper.make_graph(
        nodes,
        "nnweb_sequential",
        [helper.make_tensor_value_info(INPUT_NAME, elem, dims(sample, "in_d"))],
        [helper.make_tensor_value_info(OUTPUT_NAME, elem, dims(shape, "out_d"))],
        initializer=inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", EXPORT_OPSET)],
        producer_name=PRODUCER,
        producer_version="1",
        doc_string=doc or repr(net),
    )
    model.ir_version = 8  # opset 17 belongs to IR 8; keeps older onnxruntime builds happy
    props = {
        "producer": PRODUCER,
        "input_layout": layout,
        "loss": net.loss,
        "input_shape": json.dumps(list(sample)),
        "engine_spec": json.dumps(net.spec()),
    }
    if class_names is not None:
        names = [str(c) for c in class_names]
        props["class_names"] = json.dumps(names)
    for key, value in (metadata or {}).items():
        props.setdefault(str(key), value if isinstance(value, str) else json.dumps(value))
    helper.set_model_props(model, props)
    onnx.checker.check_model(model, full_check=True)
    return model


def export(
    net,
    path: str | os.PathLike,
    class_names=None,
    input_layout: str | None = None,
    input_shape=None,
    dtype=np.float32,
    metadata: dict | None = None,
) -> onnx.ModelProto:
    """Write ``net`` to ``path`` as ONNX (opset 17, float32 by default); return the model.

    ``input_shape`` is the per-sample shape, e.g. ``(1, 28, 28)``; without it a conv net gets
    dynamic H and W. ``metadata`` adds more metadata_props (JSON-encoded unless strings).
    The file is written to a temporary name and renamed, so a failure leaves
    nothing half-written.
    """
    model = to_model(net, class_names, input_layout, input_shape, dtype, metadata=metadata)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(model.SerializeToString())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return model
