"""The data a playground session trains on: built-in toys, instructors' datasets, edits by hand.

``load(config, user)`` returns a ``PlaygroundData`` with raw points (x1, x2, ...) split into a
training and a test set. The split is deterministic for a seed; points added by hand join the
training set, points removed by hand (indices into the generated points) leave it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine import datasets as eds
from nnweb.datasets import selectors as ds_selectors
from nnweb.datasets import services as ds_services

from .config import MAX_SAMPLES, Config, ConfigError

# Built-in toys: name -> (problem it is meant for, short description).
TOYS: dict[str, tuple[str, str]] = {
    "xor": ("classification", "two classes in opposite quadrants"),
    "circle": ("classification", "a disc of one class inside a ring of the other"),
    "gauss": ("classification", "two Gaussian blobs"),
    "spiral": ("classification", "two interleaved spirals"),
    "moons": ("classification", "two interleaved half moons"),
    "plane": ("regression", "y = a tilted plane over (x1, x2)"),
    "multi_gaussian": ("regression", "y = two bumps and two dips over (x1, x2)"),
    "sine": ("regression", "1-D: y = sin x, a curve to fit"),
}


@dataclass
class PlaygroundData:
    X: np.ndarray  # all raw points (N, D) after edits: generated (minus removed) then added
    y: np.ndarray  # targets: class indices (N,) int, or values (N, 1) float
    train_idx: np.ndarray
    test_idx: np.ndarray
    problem: str
    n_classes: int  # 0 for regression
    extent: list[list[float]] | None  # [[x1_lo, x1_hi], [x2_lo, x2_hi]] for the heatmap grid
    source: str
    class_names: list[str] = field(default_factory=list)
    # for each row of X: index in the generated set, or -1 for a point added by hand
    origin: np.ndarray | None = None

    @property
    def X_train(self) -> np.ndarray:
        return self.X[self.train_idx]

    @property
    def y_train(self) -> np.ndarray:
        return self.y[self.train_idx]

    @property
    def X_test(self) -> np.ndarray:
        return self.X[self.test_idx]

    @property
    def y_test(self) -> np.ndarray:
        return self.y[self.test_idx]

    @property
    def n_inputs(self) -> int:
        return self.X.shape[1]


def _local_toy(name: str, n: int, noise: float, rng: np.random.Generator):
    """Fallback generators (used when engine.datasets has no toy of that name)."""
    if name == "xor":
        X = rng.uniform(-1.0, 1.0, size=(n, 2))
        y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    elif name == "circle":
        r = np.where(np.arange(n) % 2 == 0, rng.uniform(0, 0.5, n), rng.uniform(0.7, 1.0, n))
        th = rng.uniform(0, 2 * np.pi, n)
        X = np.stack([r * np.cos(th), r * np.sin(th)], axis=1)
        y = (r > 0.6).astype(np.int64)
    elif name == "gauss":
        y = (np.arange(n) % 2).astype(np.int64)
        X = rng.normal(0, 0.25, size=(n, 2)) + np.where(y[:, None] == 1, 0.5, -0.5)
    elif name == "spiral":
        y = (np.arange(n) % 2).astype(np.int64)
        t = rng.uniform(0.0, 1.0, n)
        ang = 3.5 * np.pi * t + np.pi * y
        X = np.stack([t * np.cos(ang), t * np.sin(ang)], axis=1)
    else:
        X = rng.uniform(-1.0, 1.0, size=(n, 2))
        if name == "sine":
            x = np.sort(rng.uniform(-np.pi, np.pi, n))
            return x[:, None], np.sin(x) + noise * rng.normal(size=n)
        if name == "plane":
            y = 0.6 * X[:, 0] - 0.4 * X[:, 1] + 0.1
        else:
            y = np.exp(-((X - 0.5) ** 2).sum(1) / 0.08) - np.exp(-((X + 0.5) ** 2).sum(1) / 0.08)
        return X + 0 * noise, y + noise * rng.normal(size=n)
    return X + noise * rng.normal(size=X.shape), y


def _toy(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw toy points around [-1, 1]^2: (X (n, 2), y)."""
    fn = getattr(eds, name, None)
    if callable(fn):
        try:
            X, y = fn(n, noise=noise, seed=seed)
            return np.asarray(X, dtype=np.float64), np.asarray(y)
        except TypeError:
            pass
    return _local_toy(name, n, noise, np.random.default_rng(seed))


def toy_names() -> list[str]:
    return list(TOYS)


def _extent(X: np.ndarray) -> list[list[float]] | None:
    """[[x1_lo, x1_hi], [x2_lo, x2_hi]] (or one range for 1-D data) with a 10% margin."""
    if X.shape[1] not in (1, 2) or len(X) == 0:
        return None
    lo = X.min(axis=0)
    hi = X.max(axis=0)
    span = np.maximum(hi - lo, 1e-6)
    lo = lo - 0.1 * span
    hi = hi + 0.1 * span
    return [[float(lo[k]), float(hi[k])] for k in range(X.shape[1])]


def _split(n: int, ratio: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng([seed, 7]).permutation(n)
    k = min(max(1, int(round(ratio * n))), n - 1) if n > 1 else n
    return np.sort(order[:k]), np.sort(order[k:])


def _targets(y: np.ndarray, problem: str, source: str) -> tuple[np.ndarray, int]:
    if problem == "classification":
        yi = np.asarray(y)
        if yi.ndim == 2 and yi.shape[1] > 1:
            yi = yi.argmax(axis=1)
        yi = yi.reshape(-1)
        if not np.all(np.isfinite(yi.astype(float))) or np.any(yi != np.round(yi)):
            raise ConfigError(
                "problem",
                f"classification needs whole-number class labels; {source} has real-valued targets"
                " (choose problem = regression)",
            )
        yi = yi.astype(np.int64)
        if yi.min(initial=0) < 0:
            raise ConfigError("problem", f"{source}: class labels must be >= 0")
        return yi, max(2, int(yi.max(initial=1)) + 1)
    yr = np.asarray(y, dtype=np.float64)
    return yr.reshape(len(yr), -1), 0


def _apply_edits(cfg: Config, X: np.ndarray, y: np.ndarray):
    origin = np.arange(len(X))
    if cfg.removed:
        bad = [i for i in cfg.removed if i >= len(X)]
        if bad:
            raise ConfigError("removed", f"no generated point {bad[0]} (there are {len(X)})")
        keep = np.ones(len(X), bool)
        keep[cfg.removed] = False
        X, y, origin = X[keep], y[keep], origin[keep]
    n_gen = len(X)
    if cfg.added:
        if X.shape[1] != 2:
            raise ConfigError("added", "points can be added by hand only to 2-D data")
        pts = np.asarray(cfg.added, dtype=np.float64)
        X = np.concatenate([X, pts[:, :2]])
        if y.ndim == 1:
            y = np.concatenate([y, pts[:, 2]])
        else:
            y = np.concatenate([y, pts[:, 2:3]])
        origin = np.concatenate([origin, -np.ones(len(pts), dtype=np.int64)])
    return X, y, origin, n_gen


def load(cfg: Config, user=None) -> PlaygroundData:
    """The data named by ``cfg.dataset`` for ``user`` (ConfigError naming the field if refused)."""
    name = cfg.dataset
    if name.startswith("dataset:"):
        X, y, source, class_names = _uploaded(name, user)
    elif name.startswith("model:"):
        raise ConfigError("dataset", "a model's task is opened with ?model=<id>")
    elif name in TOYS:
        X, y = _toy(name, cfg.n_samples, cfg.noise, cfg.seed)
        source = f"toy {name!r}"
        class_names = []
    else:
        raise ConfigError(
            "dataset",
            f"unknown dataset {name!r}; built-in toys: {', '.join(TOYS)}, or dataset:<id>",
        )
    return build(cfg, X, y, source, class_names)


def build(cfg: Config, X, y, source: str, class_names=None) -> PlaygroundData:
    """PlaygroundData from raw arrays: targets checked, at most MAX_SAMPLES rows (a seeded
    subsample), hand edits applied, split into training and test sets."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        X = X.reshape(len(X), -1)
    y = np.asarray(y)
    if len(y) != len(X):
        raise ConfigError("dataset", f"{source}: {len(X)} inputs but {len(y)} targets")
    if len(X) > MAX_SAMPLES:
        keep = np.sort(np.random.default_rng([cfg.seed, 5]).choice(len(X), MAX_SAMPLES, False))
        X, y = X[keep], y[keep]
    y, n_classes = _targets(y, cfg.problem, source)
    if cfg.problem == "classification" and cfg.added:
        labels = [p[2] for p in cfg.added]
        if any(v != int(v) or v < 0 or v >= n_classes for v in labels):
            raise ConfigError(
                "added", f"a point added by hand needs a class label 0..{n_classes - 1}"
            )
    X, y, origin, n_gen = _apply_edits(cfg, X, y)
    if cfg.problem == "classification":
        y = y.astype(np.int64)
    if len(X) < 2:
        raise ConfigError("removed", "at least 2 points must remain")
    tr, te = _split(n_gen, cfg.train_ratio, cfg.seed)
    added = np.arange(n_gen, len(X))
    tr = np.concatenate([tr, added]).astype(np.int64)
    return PlaygroundData(
        X=X,
        y=y,
        train_idx=tr,
        test_idx=te.astype(np.int64),
        problem=cfg.problem,
        n_classes=n_classes,
        extent=_extent(X),
        source=source,
        class_names=list(class_names or []) or [str(k) for k in range(n_classes)],
        origin=origin,
    )


def _uploaded(name: str, user):
    """An instructor's dataset the user may see."""
    ident = name.split(":", 1)[1]
    ds = None
    try:
        ds = ds_selectors.visible_datasets(user).filter(pk=int(ident)).first()
    except (ValueError, TypeError):
        ds = None
    if ds is None:
        raise ConfigError("dataset", f"no dataset {ident!r} that you may see")
    X, y, meta = ds_services.load_arrays(ds)
    if y is None:
        raise ConfigError(
            "dataset", f"dataset {ident} has no targets to learn (a segmentation set)"
        )
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        X = X.reshape(len(X), -1)
    if X.shape[1] > 64:
        raise ConfigError(
            "dataset", f"the playground takes at most 64 input columns ({X.shape[1]} in {name})"
        )
    meta = meta or {}
    class_names = list(meta.get("class_names") or meta.get("classes") or [])
    return X, np.asarray(y), f"dataset {getattr(ds, 'name', ident)!r}", class_names
