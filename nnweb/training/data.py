"""What a run trains on: its dataset's arrays and the train/validation split.

Shared by the MLP/CNN trainer (``tasks``) and the Mask R-CNN trainer (``detection``);
it imports neither.
"""

from __future__ import annotations

import numpy as np

from nnweb.datasets.services import load_arrays

from .builtins import load_builtin
from .errors import RunRejected
from .models import TrainingRun


def load_run_data(run: TrainingRun):
    """(X, y, meta) of the run's dataset (uploaded or built-in)."""
    if run.builtin:
        return load_builtin(run.builtin)
    if run.dataset is None:
        raise RunRejected("the run's dataset was deleted")
    return load_arrays(run.dataset)


def split(n: int, val_fraction: float, seed: int, y: np.ndarray | None, classify: bool):
    """Train/validation indices; stratified by class for classification."""
    rng = np.random.default_rng(seed)
    if classify and y is not None:
        tr, va = [], []
        for k in np.unique(y):
            idx = rng.permutation(np.flatnonzero(y == k))
            n_val = int(round(len(idx) * val_fraction))
            if len(idx) >= 2:
                n_val = min(max(n_val, 1), len(idx) - 1)
            va.append(idx[:n_val])
            tr.append(idx[n_val:])
        return rng.permutation(np.concatenate(tr)), np.sort(np.concatenate(va))
    order = rng.permutation(n)
    n_val = min(max(1, int(round(n * val_fraction))), n - 1)
    return order[n_val:], np.sort(order[:n_val])
