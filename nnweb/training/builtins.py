"""Built-in datasets offered beside the uploaded ones (bundled with scikit-learn, no download).

``load_builtin(name)`` returns (X, y, meta) in the same form as
``nnweb.datasets.services.load_arrays``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

BUILTINS = {
    "iris": {
        "title": "Iris flowers (150 × 4, 3 classes)",
        "kind": "tabular",
        "task": "classification",
    },
    "wine": {"title": "Wine (178 × 13, 3 classes)", "kind": "tabular", "task": "classification"},
    "breast_cancer": {
        "title": "Breast cancer (569 × 30, 2 classes)",
        "kind": "tabular",
        "task": "classification",
    },
    "diabetes": {
        "title": "Diabetes (442 × 10, regression)",
        "kind": "tabular",
        "task": "regression",
    },
    "digits": {
        "title": "Handwritten digits (1797 images 8×8, 10 classes)",
        "kind": "image_classification",
        "task": "classification",
    },
}


@lru_cache(maxsize=8)
def _load(name: str):
    from sklearn import datasets as skd

    loader = {
        "iris": skd.load_iris,
        "wine": skd.load_wine,
        "breast_cancer": skd.load_breast_cancer,
        "diabetes": skd.load_diabetes,
        "digits": skd.load_digits,
    }[name]
    bunch = loader()
    info = BUILTINS[name]
    meta: dict = {
        "kind": info["kind"],
        "task": info["task"],
        "name": info["title"],
        "builtin": name,
    }
    if name == "digits":
        X = (bunch.images / 16.0).astype(np.float32)[:, None]
        meta["image_shape"] = [1, 8, 8]
    else:
        X = np.asarray(bunch.data, dtype=np.float64)
        meta["feature_names"] = [str(f) for f in bunch.feature_names]
        meta["n_features"] = int(X.shape[1])
    if info["task"] == "classification":
        y = np.asarray(bunch.target, dtype=np.int64)
        names = getattr(bunch, "target_names", None)
        meta["class_names"] = (
            [str(n) for n in names]
            if names is not None
            else [str(k) for k in range(int(y.max()) + 1)]
        )
    else:
        y = np.asarray(bunch.target, dtype=np.float64)
    meta["n_samples"] = int(len(X))
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y, meta


def load_builtin(name: str):
    if name not in BUILTINS:
        raise KeyError(name)
    X, y, meta = _load(name)
    return X, y, dict(meta)


def builtin_choices() -> list[tuple[str, str]]:
    return [(k, v["title"]) for k, v in BUILTINS.items()]
