"""nnweb's NumPy engine: feed-forward and convolutional networks with every quantity of the
lecture notes exposed (u, a, delta, dE_da, dE_dW, dE_db). Pure NumPy; see README.md."""

from . import activations, init, losses, memory
from .gradcheck import gradcheck
from .layers import AvgPool2D, Conv2D, Dense, Flatten, Layer, MaxPool2D
from .network import LayerTrace, Sequential, StepEvent, Trace
from .optim import SGD, Adam, FitInfo, TrainingDiverged

memory.keep_freed_memory()  # reuse freed arrays across training steps (see memory.py)

__all__ = [
    "Sequential",
    "Dense",
    "Conv2D",
    "MaxPool2D",
    "AvgPool2D",
    "Flatten",
    "Layer",
    "SGD",
    "Adam",
    "FitInfo",
    "TrainingDiverged",
    "gradcheck",
    "Trace",
    "LayerTrace",
    "StepEvent",
    "activations",
    "losses",
    "init",
]
