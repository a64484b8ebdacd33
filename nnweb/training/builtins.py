"""Built-in datasets offered beside the uploaded ones: scikit-learn's bundled tables (no
download) and the engine's generated sets (engine.datasets, fixed seed, so every run of
the same built-in sees the same data).

``load_builtin(name)`` returns (X, y, meta) in the same form as
``nnweb.datasets.services.load_arrays``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from engine import datasets as eds

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
    # engine.datasets (generated with seed 0)
    "spiral": {"title": "Two spirals (400 points, 2 classes)", "kind": "tabular",
               "task": "classification", "engine": {"n": 400}},
    "circle": {"title": "Disk inside a ring (400 points, 2 classes)", "kind": "tabular",
               "task": "classification", "engine": {"n": 400}},
    "xor": {"title": "XOR quadrants (400 points, 2 classes)", "kind": "tabular",
            "task": "classification", "engine": {"n": 400}},
    "sine": {"title": "y = sin x (200 points, regression)", "kind": "tabular",
             "task": "regression", "engine": {"n": 200}},
    "shapes": {"title": "Shapes (600 images 16×16: square, circle, triangle)",
               "kind": "image_classification", "task": "classification",
               "engine": {"n": 600, "size": 16}},
}  # fmt: skip

ENGINE_CLASS_NAMES = {"shapes": ["square", "circle", "triangle"]}


def _load_engine(name: str):
    info = BUILTINS[name]
    X, y = eds.load(name, seed=0, **info["engine"])
    meta: dict = {
        "kind": info["kind"],
        "task": info["task"],
        "name": info["title"],
        "builtin": name,
    }
    if info["kind"] == "image_classification":
        X = np.asarray(X, dtype=np.float32)
        meta["image_shape"] = [int(s) for s in X.shape[1:]]
    else:
        X = np.asarray(X, dtype=np.float64)
        meta["feature_names"] = [f"x{j + 1}" for j in range(X.shape[1])]
        meta["n_features"] = int(X.shape[1])
    if info["task"] == "classification":
        y = np.asarray(y, dtype=np.int64).reshape(-1)
        meta["class_names"] = ENGINE_CLASS_NAMES.get(
            name, [str(k) for k in range(int(y.max()) + 1)]
        )
    else:
        y = np.asarray(y, dtype=np.float64).reshape(-1)
    meta["n_samples"] = int(len(X))
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y, meta


@lru_cache(maxsize=16)
def _load(name: str):
    if "engine" in BUILTINS[name]:
        return _load_engine(name)
    # deferred: importing scikit-learn takes about a second (scipy.stats with it), and every
    # web process, worker and manage.py command imports this module at start-up
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
