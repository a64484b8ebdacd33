"""Flatten: (m, C, H, W) -> (m, C*H*W) in C-order (channel, row, column), a = u."""

from __future__ import annotations

import numpy as np

from .base import Layer


def flatten_forward(x: np.ndarray):
    return x.reshape(len(x), -1), x.shape


def flatten_backward(delta: np.ndarray, cache) -> np.ndarray:
    return delta.reshape(cache)


class Flatten(Layer):
    def __init__(self) -> None:
        super().__init__("identity")

    def config(self) -> dict:
        return {}

    def output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) == 0:
            raise ValueError("expects samples with at least one axis")
        return (int(np.prod(input_shape)),)

    def forward(self, x: np.ndarray):
        return flatten_forward(x)

    def backward(self, delta: np.ndarray, cache, need_dx: bool = True):
        return (flatten_backward(delta, cache) if need_dx else None), None, None
