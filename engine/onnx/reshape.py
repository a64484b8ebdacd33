"""Which ONNX Reshapes the loader may turn into an engine ``Flatten``.

The engine's ``Flatten`` keeps the batch and flattens the rest: (N, C, H, W) -> (N, C*H*W).
An ONNX Reshape is that and nothing else only when its target shape is provably
``(N, C*H*W)`` for every batch size N. The target is a constant or, as torch's
``x.view(x.size(0), -1)`` writes it, computed by a little shape graph
(Shape -> Gather -> Unsqueeze -> Concat with a constant -1). :func:`evaluate_target` runs that
shape graph symbolically, with the batch size as the symbol :data:`BATCH`, and
:func:`flatten_problem` says what, if anything, keeps the result from being a per-sample
flatten.

Reshape's rules (ONNX Reshape-5/14): an entry -1 takes what is left, an entry 0 copies the
input's dim at that index unless ``allowzero=1``, where 0 means a dim of size zero.
"""

from __future__ import annotations

import math

import numpy as np
import onnx
from onnx import numpy_helper

__all__ = ["BATCH", "ShapeUnknown", "evaluate_target", "flatten_problem", "show"]


class _Batch:
    """The batch size N: dim 0 of the graph input and of every tensor in the layer chain."""

    def __repr__(self) -> str:
        return "N"


BATCH = _Batch()


class ShapeUnknown(Exception):
    """The target shape cannot be evaluated; the message says which node stops it."""


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _ints(values) -> list:
    return [int(v) for v in np.asarray(values).reshape(-1)]


class _Evaluator:
    """Values of the shape graph: (entries, is_scalar), an entry is an int, BATCH or None."""

    def __init__(self, consts, producers, chain_shapes, opset):
        self.consts = consts
        self.producers = producers
        self.chain_shapes = chain_shapes
        self.opset = opset

    def const_ints(self, name: str, node) -> list[int]:
        entries, _ = self.value(name)
        if any(not isinstance(e, int) for e in entries):
            raise ShapeUnknown(
                f"input '{name}' of {node.op_type} node '{node.name or '(unnamed)'}' is not a "
                "constant"
            )
        return entries

    def value(self, name: str) -> tuple[list, bool]:
        if name in self.consts:
            arr = np.asarray(self.consts[name])
            if not np.issubdtype(arr.dtype, np.integer):
                raise ShapeUnknown(f"'{name}' holds {arr.dtype} values, not a shape")
            return _ints(arr), arr.ndim == 0
        node = self.producers.get(name)
        if node is None:
            raise ShapeUnknown(f"'{name}' is neither a constant nor computed from shapes")
        op = getattr(self, "_" + node.op_type.lower(), None)
        if op is None:
            raise ShapeUnknown(
                f"it is computed by {node.op_type} node '{node.name or '(unnamed)'}', which the "
                "loader does not evaluate"
            )
        return op(node)

    # --- operators of the shape graph ----------------------------------------------------
    def _shape(self, node):
        src = node.input[0]
        if src in self.chain_shapes:
            dims = [BATCH, *self.chain_shapes[src]]
        elif src in self.consts:
            dims = list(np.asarray(self.consts[src]).shape)
        else:
            raise ShapeUnknown(f"Shape node '{node.name or '(unnamed)'}' reads '{src}'")
        a = _attrs(node)
        start, end = a.get("start", 0), a.get("end", len(dims))
        return dims[slice(start, end)], False

    def _constant(self, node):
        a = _attrs(node)
        if "value" in a:
            arr = numpy_helper.to_array(a["value"])
            return _ints(arr), arr.ndim == 0
        if "value_int" in a:
            return [int(a["value_int"])], True
        if "value_ints" in a:
            return [int(v) for v in a["value_ints"]], False
        raise ShapeUnknown(f"Constant node '{node.name or '(unnamed)'}' holds no integers")

    def _identity(self, node):
        return self.value(node.input[0])

    def _cast(self, node):
        return self.value(node.input[0])

    def _gather(self, node):
        data, scalar = self.value(node.input[0])
        if scalar or int(_attrs(node).get("axis", 0)) != 0:
            raise ShapeUnknown(f"Gather node '{node.name or '(unnamed)'}' is not a 1-D lookup")
        indices, index_scalar = self.value(node.input[1])
        if not all(isinstance(i, int) for i in indices):
            raise ShapeUnknown(f"Gather node '{node.name or '(unnamed)'}' has computed indices")
        return [data[i] for i in indices], index_scalar  # IndexError: caught by the caller

    def _unsqueeze(self, node):
        data, scalar = self.value(node.input[0])
        if not scalar:
            raise ShapeUnknown(f"Unsqueeze node '{node.name or '(unnamed)'}' is not of a scalar")
        return data, False

    def _squeeze(self, node):
        data, scalar = self.value(node.input[0])
        if scalar or len(data) != 1:
            raise ShapeUnknown(f"Squeeze node '{node.name or '(unnamed)'}' is not of one value")
        return data, True

    def _concat(self, node):
        out = []
        for name in node.input:
            data, scalar = self.value(name)
            if scalar:
                raise ShapeUnknown(f"Concat node '{node.name or '(unnamed)'}' joins a scalar")
            out.extend(data)
        return out, False

    def _slice(self, node):
        data, scalar = self.value(node.input[0])
        if scalar:
            raise ShapeUnknown(f"Slice node '{node.name or '(unnamed)'}' slices a scalar")
        if self.opset < 10:
            a = _attrs(node)
            starts, ends = list(a.get("starts", [])), list(a.get("ends", []))
            axes, steps = list(a.get("axes", [0])), [1]
        else:
            starts = self.const_ints(node.input[1], node)
            ends = self.const_ints(node.input[2], node)
            opt = list(node.input[3:]) + ["", ""]
            axes = self.const_ints(opt[0], node) if opt[0] else [0]
            steps = self.const_ints(opt[1], node) if opt[1] else [1]
        if len(starts) != 1 or axes not in ([0], [-1]) or len(steps) != 1 or steps[0] == 0:
            raise ShapeUnknown(f"Slice node '{node.name or '(unnamed)'}' is not a 1-D slice")
        return data[slice(starts[0], ends[0], steps[0])], False

    def _arith(self, node, fn):
        a, sa = self.value(node.input[0])
        b, sb = self.value(node.input[1])
        if len(b) == 1 and len(a) != 1:
            b = b * len(a)
        if len(a) == 1 and len(b) != 1:
            a = a * len(b)
        if len(a) != len(b) or not all(isinstance(v, int) for v in a + b):
            raise ShapeUnknown(
                f"{node.op_type} node '{node.name or '(unnamed)'}' computes with the batch size "
                "or an unknown dim"
            )
        return [fn(x, y) for x, y in zip(a, b)], sa and sb

    def _mul(self, node):
        return self._arith(node, lambda x, y: x * y)

    def _div(self, node):
        # integer Div truncates towards zero (C's rule, not Python's floor)
        def div(x, y):
            if not y:
                return None
            q = abs(x) // abs(y)
            return q if (x >= 0) == (y > 0) else -q

        return self._arith(node, div)


def evaluate_target(name, consts, producers, chain_shapes, opset) -> list:
    """The entries of Reshape target ``name``: ints, :data:`BATCH` or None (unknown).

    ``chain_shapes`` maps each tensor of the layer chain (whose dim 0 is the batch) to its
    per-sample shape. Raises :class:`ShapeUnknown` where the shape graph cannot be evaluated.
    """
    ev = _Evaluator(consts, producers, chain_shapes, opset)
    try:
        entries, scalar = ev.value(name)
    except (IndexError, ValueError, TypeError, RecursionError) as exc:
        raise ShapeUnknown(f"its shape graph cannot be evaluated ({exc})") from None
    if scalar:
        raise ShapeUnknown("the target shape is a scalar, not a 1-D shape")
    return entries


def show(entries) -> str:
    return "[" + ", ".join("?" if e is None else repr(e) for e in entries) + "]"


def flatten_problem(target, sample, allowzero: bool, static_batch) -> str | None:
    """None when ``Reshape(x, target)`` is ``(N, prod(sample))`` for x of shape (N, *sample)
    and any N (or the one N the graph declares, ``static_batch``); else what is wrong.

    ``sample``: the input's per-sample shape, None entries where a dim is not known."""
    size = math.prod(sample) if sample and None not in sample else None
    want = f"(N, {size if size is not None else '?'})"
    if len(target) != 2:
        return f"{len(target)} dims, not the 2 of a per-sample flatten {want}"
    first, second = target
    dims = [BATCH, *sample]
    if not allowzero:  # 0 copies the input's dim at that index
        first = BATCH if first == 0 else first
        if second == 0:
            second = dims[1] if len(dims) > 1 else None
    keeps_batch = first is BATCH or (static_batch is not None and first == static_batch)
    if keeps_batch and (second == -1 or (size is not None and second == size)):
        return None
    if first == -1 and size is not None and second == size:
        return None
    if size is None and first == -1:
        return f"{want} with each sample's size unknown: (-1, {second!r}) cannot be proven one"
    return f"not a per-sample flatten {want}"
