"""Layers: each keeps its forward and backward side by side (functional pairs + classes)."""

from .base import Layer
from .conv import (
    Conv2D,
    conv2d_backward,
    conv2d_forward,
    conv2d_per_sample_grads,
    conv_output_size,
    im2col_view,
    resolve_pads,
    same_pads,
)
from .dense import Dense, dense_backward, dense_forward
from .flatten import Flatten, flatten_backward, flatten_forward
from .pool import (
    AvgPool2D,
    MaxPool2D,
    Pool2D,
    avg_pool_backward,
    avg_pool_forward,
    max_pool_argmax,
    max_pool_backward,
    max_pool_forward,
    pool_output_size,
)

LAYER_TYPES = {c.__name__: c for c in (Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten)}

__all__ = [
    "Layer",
    "Dense",
    "Conv2D",
    "MaxPool2D",
    "AvgPool2D",
    "Pool2D",
    "Flatten",
    "LAYER_TYPES",
    "dense_forward",
    "dense_backward",
    "conv2d_forward",
    "conv2d_backward",
    "conv2d_per_sample_grads",
    "conv_output_size",
    "same_pads",
    "resolve_pads",
    "im2col_view",
    "max_pool_forward",
    "max_pool_backward",
    "max_pool_argmax",
    "avg_pool_forward",
    "avg_pool_backward",
    "pool_output_size",
    "flatten_forward",
    "flatten_backward",
]
