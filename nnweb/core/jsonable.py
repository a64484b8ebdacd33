"""Values made storable in a JSONField: what an importer or a trainer computed, as plain JSON."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON: dict keys as strings, tuples as lists, NumPy scalars and arrays
    as Python numbers and lists, non-finite floats (which JSON cannot hold) as None and any other
    object as its text."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    return str(obj)  # anything else (a path, a date) as its text
