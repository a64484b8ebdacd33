"""The train/validation split of a run (nnweb.training.data.split)."""

from __future__ import annotations

import numpy as np
import pytest

from nnweb.training.data import split


def _check_partition(tr, va, n):
    assert len(set(tr) & set(va)) == 0
    assert sorted([*tr, *va]) == list(range(n))
    assert list(va) == sorted(va)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_classification_is_stratified_and_every_class_is_in_both_parts(seed):
    y = np.array([0] * 60 + [1] * 30 + [2] * 6 + [3] * 2 + [4])
    tr, va = split(len(y), 0.2, seed, y, True)
    _check_partition(tr, va, len(y))
    assert np.bincount(y[va], minlength=5).tolist()[:2] == [12, 6]  # 20 % of each large class
    for k in (0, 1, 2, 3):
        assert k in y[va] and k in y[tr]
    assert 4 in y[tr]  # a one-sample class trains


def test_the_same_seed_gives_the_same_split_and_another_seed_another():
    y = np.repeat(np.arange(3), 20)
    a, b, c = (split(60, 0.25, s, y, True) for s in (5, 5, 6))
    assert np.array_equal(a[1], b[1]) and not np.array_equal(a[1], c[1])


def test_regression_takes_a_fraction_at_random_and_never_everything():
    tr, va = split(50, 0.2, 0, None, False)
    _check_partition(tr, va, 50)
    assert len(va) == 10
    assert len(split(3, 0.9, 0, None, False)[0]) == 1
