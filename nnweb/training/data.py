"""What a run trains on: its dataset's arrays and the train/validation split.

Shared by the MLP/CNN trainer (``tasks``) and the Mask R-CNN trainer (``detection``);
it imports neither.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

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
    """Train and validation indices (validation sorted), drawn by scikit-learn's
    ``train_test_split``; stratified by class for classification.

    Every class of two samples or more has at least one in each part (a one-sample class
    trains): the validation part is at least one per such class and leaves one of each.
    """
    idx = np.arange(n)
    if not (classify and y is not None):
        n_val = min(max(1, int(round(n * val_fraction))), n - 1)
        tr, va = train_test_split(idx, test_size=n_val, random_state=seed)
        return tr, np.sort(va)
    classes, counts = np.unique(y, return_counts=True)
    alone = np.isin(y, classes[counts < 2])
    pool = idx[~alone]
    n_classes = int((counts >= 2).sum())
    if not n_classes:
        return idx, idx[:0]
    n_val = min(max(int(round(len(pool) * val_fraction)), n_classes), len(pool) - n_classes)
    tr, va = train_test_split(pool, test_size=n_val, random_state=seed, stratify=y[pool])
    return np.concatenate([tr, idx[alone]]), np.sort(va)
