"""The one JSON-storable conversion the datasets and model-zoo services share."""

from __future__ import annotations

import json
import math

import numpy as np

from nnweb.core.jsonable import jsonable


def test_numpy_values_keys_and_tuples_become_plain_json():
    out = jsonable({1: (np.float32(0.5), np.int64(3)), "a": np.arange(3), "b": [np.bool_(True)]})
    assert out == {"1": [0.5, 3], "a": [0, 1, 2], "b": [True]}
    assert type(out["1"][1]) is int and type(out["a"][0]) is int
    json.dumps(out, allow_nan=False)


def test_non_finite_floats_become_null_anywhere():
    out = jsonable({"loss": math.nan, "x": [np.float64(np.inf), -math.inf, 1.5]})
    assert out == {"loss": None, "x": [None, None, 1.5]}
    assert jsonable(np.array([[np.nan, 2.0]])) == [[None, 2.0]]


def test_other_objects_are_stored_as_their_text():
    from pathlib import PurePosixPath

    assert jsonable({"path": PurePosixPath("a/b.png"), "none": None}) == {
        "path": "a/b.png",
        "none": None,
    }
