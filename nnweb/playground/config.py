"""The playground configuration and its validation.

Every setting a student can change is one field here. ``validate(raw, anonymous=...)`` turns a
JSON object (from a form, the URL, a saved experiment or a classroom link) into a ``Config`` or
raises ``ConfigError`` naming the field, e.g. ``hidden[2]: at most 16 neurons per layer for
visitors who are not signed in (got 32)``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from . import features as feats

# Limits that protect the server (visitors who are not signed in get the smaller ones).
MAX_LAYERS = 8
MAX_WIDTH = 64
ANON_MAX_LAYERS = 6
ANON_MAX_WIDTH = 16
MAX_SAMPLES = 2000
ANON_MAX_SAMPLES = 500
MAX_SPEED = 50  # mini-batches per frame while playing
ANON_MAX_SPEED = 20
MAX_FPS = 60
MAX_EDITS = 500  # points added by hand

HIDDEN_ACTIVATIONS = ("identity", "relu", "leaky_relu", "sigmoid", "tanh", "softplus")
PROBLEMS = {
    "classification": ("softmax", "cross_entropy"),
    "regression": ("identity", "half_sse"),
}
# "auto": xavier for tanh/sigmoid/identity layers, he for relu layers (engine.init.default_for).
INITS = ("auto", "xavier", "he", "normal")


class ConfigError(ValueError):
    """A refused setting; ``field`` says which one."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{_label(field)}: {message}")
        self.field = field
        self.message = message


def _label(field: str) -> str:
    """How a message names a field: "hidden[1]" is "hidden layer 2" to a student."""
    key, _, rest = field.partition("[")
    names = {"hidden": "hidden layer", "activations": "activation of layer"}
    if key in names and rest.endswith("]") and rest[:-1].isdigit():
        return f"{names[key]} {int(rest[:-1]) + 1}"
    return field


@dataclass
class Config:
    dataset: str = "xor"
    noise: float = 0.1
    n_samples: int = 200
    train_ratio: float = 0.5
    features: list[str] = field(default_factory=lambda: list(feats.DEFAULT_FEATURES))
    hidden: list[int] = field(default_factory=lambda: [4])
    activations: list[str] = field(default_factory=lambda: ["tanh"])
    problem: str = "classification"
    init: str = "auto"
    seed: int = 1
    lr: float = 0.3
    batch_size: int = 10
    momentum: float = 0.0
    l2: float = 0.0
    speed: int = 5
    fps: int = 60
    # Points added by hand: [x1, x2, target]; indices of generated points removed by hand.
    added: list[list[float]] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def output_activation(self) -> str:
        return PROBLEMS[self.problem][0]

    @property
    def loss(self) -> str:
        return PROBLEMS[self.problem][1]


FIELD_NAMES = tuple(f.name for f in fields(Config))


def _given(raw: Any) -> str:
    """The value a student typed, quoted as they typed it (nothing typed: "nothing")."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "an empty field"
    return f"'{raw}'" if isinstance(raw, str) else repr(raw)


def _number(raw: Any, name: str, lo: float, hi: float, *, lo_open: bool = False) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ConfigError(name, f"{_given(raw)} is not a number")
    try:
        v = float(raw)
    except ValueError:
        raise ConfigError(name, f"{_given(raw)} is not a number") from None
    if not math.isfinite(v):
        raise ConfigError(name, f"must be a finite number, got {raw!r}")
    if v < lo or v > hi or (lo_open and v == lo):
        left = "(" if lo_open else "["
        raise ConfigError(name, f"must be in {left}{lo:g}, {hi:g}], got {v:g}")
    return v


def _int(raw: Any, name: str, lo: int, hi: int, hint: str = "") -> int:
    given = raw
    if isinstance(raw, bool):
        raise ConfigError(name, f"{_given(given)} is not a whole number")
    if isinstance(raw, str):
        try:
            raw = int(raw.strip())
        except ValueError:
            raise ConfigError(name, f"{_given(given)} is not a whole number") from None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if not isinstance(raw, int):
        raise ConfigError(name, f"{_given(given)} is not a whole number")
    if raw < lo or raw > hi:
        raise ConfigError(name, f"must be between {lo} and {hi}{hint} (got {raw})")
    return raw


def _list(raw: Any, name: str) -> list:
    if isinstance(raw, str):
        return [s.strip() for s in raw.split(",") if s.strip() != ""]
    if not isinstance(raw, list | tuple):
        raise ConfigError(name, f"must be a list, got {raw!r}")
    return list(raw)


def validate(raw: dict | None, *, anonymous: bool = True, base: Config | None = None) -> Config:
    """A Config from ``raw`` (missing fields from ``base`` or the defaults).

    ``anonymous`` selects the smaller limits for visitors who are not signed in.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError("config", f"must be an object of settings, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(FIELD_NAMES))
    if unknown:
        raise ConfigError(unknown[0], f"unknown setting; known settings: {', '.join(FIELD_NAMES)}")
    cfg = Config(**(base.to_dict() if base is not None else {}))
    max_layers = ANON_MAX_LAYERS if anonymous else MAX_LAYERS
    max_width = ANON_MAX_WIDTH if anonymous else MAX_WIDTH
    max_samples = ANON_MAX_SAMPLES if anonymous else MAX_SAMPLES
    max_speed = ANON_MAX_SPEED if anonymous else MAX_SPEED
    who = " for visitors who are not signed in" if anonymous else ""

    if "dataset" in raw:
        ds = raw["dataset"]
        if not isinstance(ds, str) or not ds.strip() or len(ds) > 100:
            raise ConfigError("dataset", f"must be a dataset name, got {ds!r}")
        cfg.dataset = ds.strip()
    if "noise" in raw:
        cfg.noise = _number(raw["noise"], "noise", 0.0, 1.0)
    if "n_samples" in raw:
        cfg.n_samples = _int(raw["n_samples"], "n_samples", 4, max_samples, who)
    if "train_ratio" in raw:
        cfg.train_ratio = _number(raw["train_ratio"], "train_ratio", 0.1, 0.9)
    if "features" in raw:
        names = _list(raw["features"], "features")
        if not names:
            raise ConfigError("features", "choose at least one input feature")
        for i, n in enumerate(names):
            if n not in feats.FEATURES:
                raise ConfigError(
                    f"features[{i}]",
                    f"unknown input feature {n!r}; choose from {', '.join(feats.FEATURES)}",
                )
        cfg.features = feats.ordered(names)
    if "hidden" in raw:
        widths = _list(raw["hidden"], "hidden")
        if len(widths) > max_layers:
            raise ConfigError(
                "hidden", f"at most {max_layers} hidden layers{who} (got {len(widths)})"
            )
        cfg.hidden = []
        for i, w in enumerate(widths):
            w = _int(w, f"hidden[{i}]", 1, MAX_WIDTH)
            if w > max_width:
                raise ConfigError(
                    f"hidden[{i}]", f"at most {max_width} neurons per layer{who} (got {w})"
                )
            cfg.hidden.append(w)
    elif len(cfg.hidden) > max_layers or any(w > max_width for w in cfg.hidden):
        raise ConfigError("hidden", f"at most {max_layers} hidden layers of {max_width}{who}")
    if "activations" in raw:
        acts = _list(raw["activations"], "activations")
        for i, a in enumerate(acts):
            if a not in HIDDEN_ACTIVATIONS:
                raise ConfigError(
                    f"activations[{i}]",
                    f"unknown activation {a!r}; choose from {', '.join(HIDDEN_ACTIVATIONS)}",
                )
        cfg.activations = acts
    # One activation per hidden layer: a single name applies to all, extra ones are an error.
    if len(cfg.activations) == 1 and len(cfg.hidden) != 1:
        cfg.activations = cfg.activations * len(cfg.hidden)
    elif len(cfg.activations) < len(cfg.hidden):
        fill = cfg.activations[-1] if cfg.activations else "tanh"
        cfg.activations = cfg.activations + [fill] * (len(cfg.hidden) - len(cfg.activations))
    elif len(cfg.activations) > len(cfg.hidden):
        if "activations" in raw and len(cfg.hidden) > 0 and len(raw["activations"]) > 1:
            raise ConfigError(
                "activations",
                f"{len(cfg.activations)} activations given for {len(cfg.hidden)} hidden layers",
            )
        cfg.activations = cfg.activations[: len(cfg.hidden)]
    if "problem" in raw:
        if raw["problem"] not in PROBLEMS:
            raise ConfigError(
                "problem", f"must be one of {', '.join(PROBLEMS)}, got {raw['problem']!r}"
            )
        cfg.problem = raw["problem"]
    if "init" in raw:
        if raw["init"] not in INITS:
            raise ConfigError("init", f"must be one of {', '.join(INITS)}, got {raw['init']!r}")
        cfg.init = raw["init"]
    if "seed" in raw:
        cfg.seed = _int(raw["seed"], "seed", 0, 2**31 - 1)
    if "lr" in raw:
        cfg.lr = _number(raw["lr"], "lr", 0.0, 10.0, lo_open=True)
    if "batch_size" in raw:
        cfg.batch_size = _int(raw["batch_size"], "batch_size", 1, MAX_SAMPLES)
    if "momentum" in raw:
        cfg.momentum = _number(raw["momentum"], "momentum", 0.0, 0.99)
    if "l2" in raw:
        cfg.l2 = _number(raw["l2"], "l2", 0.0, 1.0)
    if "speed" in raw:
        cfg.speed = _int(raw["speed"], "speed", 1, max_speed, f" mini-batches per frame{who}")
    if "fps" in raw:
        cfg.fps = _int(raw["fps"], "fps", 1, MAX_FPS, " frames per second")
    if "added" in raw:
        pts = raw["added"]
        if not isinstance(pts, list):
            raise ConfigError("added", "must be a list of [x1, x2, target] points")
        if len(pts) > MAX_EDITS:
            raise ConfigError("added", f"at most {MAX_EDITS} points added by hand (got {len(pts)})")
        out = []
        for i, p in enumerate(pts):
            if not isinstance(p, list | tuple) or len(p) != 3:
                raise ConfigError(f"added[{i}]", f"must be [x1, x2, target], got {p!r}")
            out.append([_number(v, f"added[{i}]", -1e6, 1e6) for v in p])
        cfg.added = out
    if "removed" in raw:
        idx = _list(raw["removed"], "removed")
        if len(idx) > MAX_SAMPLES:
            raise ConfigError("removed", f"at most {MAX_SAMPLES} removed points")
        cfg.removed = sorted({_int(v, f"removed[{i}]", 0, MAX_SAMPLES) for i, v in enumerate(idx)})
    return cfg


def limits(anonymous: bool) -> dict:
    """The limits in force, for the page to show next to the controls."""
    return {
        "max_layers": ANON_MAX_LAYERS if anonymous else MAX_LAYERS,
        "max_width": ANON_MAX_WIDTH if anonymous else MAX_WIDTH,
        "max_samples": ANON_MAX_SAMPLES if anonymous else MAX_SAMPLES,
        "max_speed": ANON_MAX_SPEED if anonymous else MAX_SPEED,
        "max_fps": MAX_FPS,
    }
