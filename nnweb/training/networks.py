"""Network specs of training runs (what the run page and API accept) → engine networks.

MLP:  {"type": "mlp", "hidden": [16, 16], "activation": "relu"}
CNN:  {"type": "cnn", "conv": [{"filters": 8, "kernel": 3, "pool": 2}, ...],
       "hidden": [32], "activation": "relu"}
Mask R-CNN (COCO datasets only): {"type": "maskrcnn", ...}

The output layer follows from the dataset: softmax over the classes with the
cross-entropy loss for classification, one identity unit with half the sum of
squared errors for regression.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import Conv2D, Dense, Flatten, MaxPool2D, Sequential
from engine.activations import NAMES as ACTIVATIONS

HIDDEN_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a != "softmax")
NETWORK_TYPES = ("mlp", "cnn", "maskrcnn")
MAX_LAYERS = 8
MAX_UNITS = 1024
MAX_FILTERS = 64


class SpecError(ValueError):
    """A network spec that cannot be built; the message names the field."""


def _int_list(value: Any, field: str, lo: int, hi: int, max_len: int) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > max_len:
        raise SpecError(f"{field} must be a list of at most {max_len} whole numbers")
    out = []
    for k, v in enumerate(value):
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise SpecError(f"{field}[{k}] must be a whole number from {lo} to {hi}, not {v!r}")
        out.append(v)
    return out


def normalize_spec(spec: Any) -> dict:
    """A checked, complete copy of a network spec (defaults filled in)."""
    if not isinstance(spec, dict):
        raise SpecError("network must be an object such as {'type': 'mlp', 'hidden': [16]}")
    kind = spec.get("type", "mlp")
    if kind not in NETWORK_TYPES:
        raise SpecError(f"network type must be one of {', '.join(NETWORK_TYPES)}, not {kind!r}")
    if kind == "maskrcnn":
        return {"type": "maskrcnn", "init": spec.get("init", "shapes")}
    activation = spec.get("activation", "relu")
    if activation not in HIDDEN_ACTIVATIONS:
        raise SpecError(
            f"activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}, not {activation!r}"
        )
    hidden = _int_list(spec.get("hidden", [16]), "hidden", 1, MAX_UNITS, MAX_LAYERS)
    out = {"type": kind, "hidden": hidden, "activation": activation}
    if kind == "cnn":
        conv = spec.get("conv", [{"filters": 8, "kernel": 3, "pool": 2}])
        if not isinstance(conv, list) or not 1 <= len(conv) <= 4:
            raise SpecError("conv must be a list of 1 to 4 convolution blocks")
        blocks = []
        for k, block in enumerate(conv):
            if not isinstance(block, dict):
                raise SpecError(f"conv[{k}] must be an object like {{'filters': 8, 'kernel': 3}}")
            filters = block.get("filters", 8)
            kernel = block.get("kernel", 3)
            pool = block.get("pool", 2)
            for name, v, lo, hi in (
                ("filters", filters, 1, MAX_FILTERS),
                ("kernel", kernel, 1, 7),
                ("pool", pool, 0, 4),
            ):
                if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                    raise SpecError(f"conv[{k}].{name} must be a whole number from {lo} to {hi}")
            blocks.append({"filters": filters, "kernel": kernel, "pool": pool})
        out["conv"] = blocks
    return out


def build_network(
    spec: dict,
    input_shape: list[int],
    n_outputs: int,
    task: str,
    seed: int | None = 0,
    dtype=np.float64,
) -> Sequential:
    """The engine network for ``spec`` on samples of ``input_shape``."""
    spec = normalize_spec(spec)
    act = spec["activation"]
    layers: list = []
    if spec["type"] == "mlp":
        if len(input_shape) == 3:
            layers.append(Flatten())
            n_in = int(np.prod(input_shape))
        elif len(input_shape) == 1:
            n_in = int(input_shape[0])
        else:
            raise SpecError(f"an MLP needs feature rows or images, not samples of {input_shape}")
    elif spec["type"] == "cnn":
        if len(input_shape) != 3:
            raise SpecError("a CNN needs an image dataset; this one has feature rows (use an MLP)")
        c, h, w = input_shape
        for k, block in enumerate(spec["conv"]):
            layers.append(
                Conv2D(c, block["filters"], block["kernel"], padding="same", activation=act)
            )
            c = block["filters"]
            if block["pool"] > 1:
                if h < block["pool"] or w < block["pool"]:
                    raise SpecError(
                        f"conv[{k}]: the {h}×{w} feature map is too small to pool "
                        f"by {block['pool']}"
                    )
                layers.append(MaxPool2D(block["pool"]))
                h, w = h // block["pool"], w // block["pool"]
        layers.append(Flatten())
        n_in = c * h * w
    else:
        raise SpecError("Mask R-CNN is built by the detection engine, not here")
    for units in spec["hidden"]:
        layers.append(Dense(n_in, units, activation=act))
        n_in = units
    if task == "regression":
        layers.append(Dense(n_in, 1, activation="identity"))
        loss = "half_sse"
    else:
        layers.append(Dense(n_in, n_outputs, activation="softmax"))
        loss = "cross_entropy"
    return Sequential(layers, loss, seed=seed, dtype=dtype)


def param_count(net: Sequential) -> int:
    n = net.num_params
    return int(n() if callable(n) else n)


def count_params(spec: dict, input_shape: list[int], n_outputs: int, task: str) -> int:
    return param_count(build_network(spec, input_shape, n_outputs, task, seed=0))
