"""Activation functions f(u) and their backward rules, by name.

Each activation (an ``Activation``) keeps together
  * ``forward(u, alpha)``            -> a = f(u)
  * ``prime(u, a, alpha)``           -> f'(u) elementwise (not for softmax, whose derivative is a
    Jacobian; its backward rule is delta = a * (dE_da - sum(dE_da * a)))
  * ``backward(dE_da, u, a, alpha)`` -> delta = dE/du = dE/da * f'(u), written once for all

The notes' backward step is delta_j = dE/da_j * f'(u_j)  (f' evaluated at u, not at a;
see ERRATA.md). For tanh and sigmoid f'(u) is cheapest written with a = f(u):
tanh'(u) = 1 - a^2, sigmoid'(u) = a (1 - a). (The 1 there is a 0-d array of a's dtype, which
NumPy subtracts faster than a Python 1 on the playground's small batches; see small.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .small import const

NAMES = ("identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "softmax")


# --- forward -------------------------------------------------------------------------------
def identity(u: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """f(u) = u"""
    return u


def relu(u: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """f(u) = max(0, u)"""
    return np.maximum(u, 0)


def leaky_relu(u: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """f(u) = u if u > 0 else alpha * u"""
    return np.where(u > 0, u, u * alpha)


def sigmoid(u: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """f(u) = 1 / (1 + e^-u), evaluated without overflow for large |u|."""
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1.0, e) / (1.0 + e)


def tanh(u: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """f(u) = tanh(u) = 2 / (1 + e^(-2u)) - 1"""
    return np.tanh(u)


def softplus(u: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """f(u) = log(1 + e^u), stable for large |u|."""
    return np.logaddexp(0, u)


def softmax(u: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """f(u)_k = e^{u_k} / sum_j e^{u_j} over axis 1 (the class / channel axis).

    The maximum is subtracted first, so logits of +-1000 stay finite.
    """
    e = np.exp(u - u.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


# --- f'(u) elementwise, and the backward rule built on it ------------------------------------
def _identity_prime(u, a, alpha):
    return np.ones_like(u)


def _relu_prime(u, a, alpha):
    return u > 0  # a boolean mask multiplies as 0 / 1 and saves a conversion


def _leaky_relu_prime(u, a, alpha):
    return np.where(u > 0, 1.0, alpha).astype(u.dtype, copy=False)


def _sigmoid_prime(u, a, alpha):
    return a * (const(1.0, a.dtype) - a)


def _tanh_prime(u, a, alpha):
    return const(1.0, a.dtype) - a * a


def _softplus_prime(u, a, alpha):
    return sigmoid(u)


@dataclass(frozen=True)
class Activation:
    """f, f' and the backward rule of one activation, kept together.

    ``forward(u, alpha)`` -> a = f(u);  ``prime(u, a, alpha)`` -> f'(u) (None for softmax);
    ``backward(dE_da, u, a, alpha)`` -> delta = dE/du = dE/da * f'(u), the notes' backward step.
    """

    name: str
    forward: Callable
    prime: Callable | None

    def backward(self, dE_da: np.ndarray, u: np.ndarray, a: np.ndarray, alpha: float = 0.01):
        if self.name == "identity":
            return dE_da  # f'(u) = 1
        return dE_da * self.prime(u, a, alpha)

    @property
    def derivative(self) -> Callable | None:
        """f'(u, a, alpha) (the name the lessons use)."""
        return self.prime


@dataclass(frozen=True)
class Softmax(Activation):
    """softmax has a Jacobian instead of an elementwise f': da_k/du_j = a_k (1[k=j] - a_j), so
    its backward is the Jacobian-vector product delta = a * (dE_da - sum_k dE_da_k a_k)."""

    def backward(self, dE_da: np.ndarray, u: np.ndarray, a: np.ndarray, alpha: float = 0.01):
        return a * (dE_da - (dE_da * a).sum(axis=1, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("identity", identity, _identity_prime),
        Activation("relu", relu, _relu_prime),
        Activation("leaky_relu", leaky_relu, _leaky_relu_prime),
        Activation("sigmoid", sigmoid, _sigmoid_prime),
        Activation("tanh", tanh, _tanh_prime),
        Activation("softplus", softplus, _softplus_prime),
        Softmax("softmax", softmax, None),
    )
}


def get(name: str) -> Activation:
    """The Activation called ``name``; ValueError listing the known names otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(NAMES)}") from None


def derivative(name: str, u: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    """f'(u) elementwise for activation ``name`` (softmax has a Jacobian instead: ValueError)."""
    act = get(name)
    if act.prime is None:
        raise ValueError("softmax has no elementwise derivative; use its backward rule")
    u = np.asarray(u, dtype=float)
    return np.asarray(act.prime(u, act.forward(u, alpha), alpha), dtype=u.dtype)
