"""Activation functions f(u) and their backward rules, by name.

Each activation has
  * ``forward(u, alpha)``         -> a = f(u)
  * ``backward(dE_da, u, a, alpha)`` -> delta = dE/du
  * ``derivative(u, a, alpha)``   -> f'(u) elementwise (not for softmax, whose
    derivative is a Jacobian; its backward rule is delta = a * (dE_da - sum(dE_da * a)))

The notes' backward step is delta_j = dE/da_j * f'(u_j)  (f' evaluated at u, not at a;
see ERRATA.md). For tanh and sigmoid f'(u) is cheapest written with a = f(u):
tanh'(u) = 1 - a^2, sigmoid'(u) = a (1 - a).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

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


# --- backward: delta = dE/du = dE/da * f'(u) -------------------------------------------------
def _identity_backward(dE_da, u, a, alpha):
    return dE_da


def _relu_backward(dE_da, u, a, alpha):
    return dE_da * (u > 0)


def _leaky_relu_backward(dE_da, u, a, alpha):
    return dE_da * np.where(u > 0, 1.0, alpha).astype(u.dtype, copy=False)


def _sigmoid_backward(dE_da, u, a, alpha):
    return dE_da * (a * (1 - a))


def _tanh_backward(dE_da, u, a, alpha):
    return dE_da * (1 - a * a)


def _softplus_backward(dE_da, u, a, alpha):
    return dE_da * sigmoid(u)


def _softmax_backward(dE_da, u, a, alpha):
    # Jacobian-vector product of softmax: da_k/du_j = a_k (1[k=j] - a_j)
    return a * (dE_da - (dE_da * a).sum(axis=1, keepdims=True))


# --- f'(u) elementwise (for the lessons' plots) ----------------------------------------------
def _deriv(name: str) -> Callable:
    table = {
        "identity": lambda u, a, alpha: np.ones_like(u),
        "relu": lambda u, a, alpha: (u > 0).astype(u.dtype),
        "leaky_relu": lambda u, a, alpha: np.where(u > 0, 1.0, alpha).astype(u.dtype),
        "sigmoid": lambda u, a, alpha: a * (1 - a),
        "tanh": lambda u, a, alpha: 1 - a * a,
        "softplus": lambda u, a, alpha: sigmoid(u),
    }
    return table.get(name)


@dataclass(frozen=True)
class Activation:
    name: str
    forward: Callable
    backward: Callable
    derivative: Callable | None


ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation("identity", identity, _identity_backward, _deriv("identity")),
    "relu": Activation("relu", relu, _relu_backward, _deriv("relu")),
    "leaky_relu": Activation("leaky_relu", leaky_relu, _leaky_relu_backward, _deriv("leaky_relu")),
    "sigmoid": Activation("sigmoid", sigmoid, _sigmoid_backward, _deriv("sigmoid")),
    "tanh": Activation("tanh", tanh, _tanh_backward, _deriv("tanh")),
    "softplus": Activation("softplus", softplus, _softplus_backward, _deriv("softplus")),
    "softmax": Activation("softmax", softmax, _softmax_backward, None),
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
    if act.derivative is None:
        raise ValueError("softmax has no elementwise derivative; use its backward rule")
    u = np.asarray(u, dtype=float)
    return act.derivative(u, act.forward(u, alpha), alpha)
