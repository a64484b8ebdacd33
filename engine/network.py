"""Sequential network: forward propagation, back propagation, the Trace of every quantity.

Forward (notes' algorithm, step 3):  for l = 1..L:  u^(l) = g_l(a^(l-1)),  a^(l) = f_l(u^(l)),
with a^(0) = x (the input batch, one sample per row).

Loss (E = mean_n E_n, see losses.py) and the output delta:
  softmax + cross_entropy:  delta^(L) = (y_hat - t) / m
  half_sse:                 dE/da^(L) = (y_hat - y) / m,  delta^(L) = dE/da^(L) * f'(u^(L))

Back propagation, l = L..1:
  dE/dW^(l), dE/db^(l), dE/da^(l-1)   from delta^(l) and the layer's forward cache
  delta^(l-1) = dE/da^(l-1) * f'(u^(l-1))     (elementwise; softmax uses its Jacobian)
For a dense layer dE/da_j^(l-1) = sum_k delta_k^(l) w_kj^(l).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import init as init_mod
from . import losses as loss_mod
from .layers import LAYER_TYPES, Conv2D, Dense, Flatten, Layer, Pool2D
from .small import col_sums

SPEC_FORMAT = "nnweb.engine.sequential/1"


class Propagation(NamedTuple):
    """Everything one forward + backward pass computed; lists are indexed by layer position
    (i = l - 1). dE_das[i] is dE/da^(l) (None for a softmax + cross-entropy output)."""

    loss: float
    losses: np.ndarray
    us: list
    as_: list
    caches: list
    deltas: list
    dE_das: list
    dWs: list
    dbs: list


class LayerTrace:
    """Everything layer l computed on one batch: u, a, delta (= dE/du), dE_da, dE_dW, dE_db,
    and the layer's forward cache (``cache``)."""

    __slots__ = ("l", "layer", "u", "a", "delta", "_dE_da", "dE_dW", "dE_db", "cache", "_lazy")

    def __init__(self, l, layer, u, a, delta, dE_da, dE_dW, dE_db, cache):
        self.l = l
        self.layer = layer
        self.u = u
        self.a = a
        self.delta = delta
        self._dE_da = dE_da
        self.dE_dW = dE_dW
        self.dE_db = dE_db
        self.cache = cache
        self._lazy = None

    def set_lazy_dE_da(self, compute) -> None:
        """dE_da = compute(), on first access (softmax + cross-entropy output)."""
        self._lazy = compute

    @property
    def dE_da(self):
        if self._lazy is not None:
            self._dE_da = self._lazy()
            self._lazy = None
        return self._dE_da

    @dE_da.setter
    def dE_da(self, value):
        self._dE_da = value
        self._lazy = None

    def __repr__(self) -> str:
        return f"LayerTrace(l={self.l}, {type(self.layer).__name__}, u{tuple(self.u.shape)})"


class Trace:
    """Forward + backward on one batch. ``layers[l-1]`` is layer l's LayerTrace.

    Gradients are those of the batch mean E = (1/m) sum_n E_n.
    """

    __slots__ = ("a0", "loss", "losses", "y", "_grads", "_layers", "_build")

    def __init__(self, a0, layers, loss, losses, y, grads=None, build=None):
        self.a0 = a0
        self._layers = layers  # a list of LayerTrace, or None until build() makes it
        self._build = build
        self.loss = loss
        self.losses = losses
        self.y = y
        self._grads = grads  # (dWs, dbs) lists by layer position

    @property
    def layers(self) -> list[LayerTrace]:
        """layers[l-1]: the LayerTrace of layer l (built on first access from the kept arrays)."""
        if self._layers is None:
            self._layers = self._build()
            self._build = None
        return self._layers

    @property
    def y_hat(self) -> np.ndarray:
        return self.layers[-1].a

    def grads(self) -> dict[str, np.ndarray]:
        """{"W1": dE_dW1, "b1": dE_db1, ...} for the layers with parameters."""
        out = {}
        for lt in self.layers:
            if lt.dE_dW is not None:
                out[f"W{lt.l}"] = lt.dE_dW
                out[f"b{lt.l}"] = lt.dE_db
        return out

    def layer_grads(self) -> tuple[list, list]:
        """(dWs, dbs): dE_dW and dE_db by layer position (None for layers without parameters),
        what an optimizer's ``apply`` takes."""
        if self._grads is None:
            self._grads = [lt.dE_dW for lt in self.layers], [lt.dE_db for lt in self.layers]
        return self._grads

    def __repr__(self) -> str:
        return f"Trace(L={len(self.layers)}, m={len(self.a0)}, loss={self.loss:.6g})"


@dataclass
class StepEvent:
    """One stage of ``Sequential.steps``.

    stage "forward" (l, u, a), "loss" (loss, losses, y_hat, dE_da and delta of the output layer),
    "backward" (l, dE_da, delta, dE_dW, dE_db, dE_da_prev = dE/da^(l-1)), "update" (updates:
    {"W1": dW1, "b1": db1, ...} as applied, params: the parameters after the update, trace).
    """

    stage: str
    l: int | None = None
    layer: Layer | None = None
    u: np.ndarray | None = None
    a: np.ndarray | None = None
    delta: np.ndarray | None = None
    dE_da: np.ndarray | None = None
    dE_dW: np.ndarray | None = None
    dE_db: np.ndarray | None = None
    dE_da_prev: np.ndarray | None = None
    loss: float | None = None
    losses: np.ndarray | None = None
    y_hat: np.ndarray | None = None
    updates: dict | None = None
    params: dict | None = None
    trace: Trace | None = field(default=None, repr=False)


def _where(l: int, layer: Layer) -> str:
    return f"layer {l} ({type(layer).__name__})"


class Sequential:
    """A feed-forward network: layers applied in order, with a loss.

    ``Sequential(layers, loss, seed=None, dtype=np.float64, init=None)``
      loss: "cross_entropy" (last layer's activation must be "softmax") or "half_sse".
      init: None (xavier for tanh/sigmoid/identity/softmax/softplus layers, he for relu/leaky_relu),
            "normal" (sigma 0.1), ("normal", sigma), {"name": "normal", "sigma": s}, "xavier",
            "he" or a callable init(shape, fan_in, fan_out, rng).
    """

    def __init__(self, layers, loss: str, seed=None, dtype=np.float64, init=None) -> None:
        layers = layers if isinstance(layers, list) else list(layers)
        if not layers:
            raise ValueError("Sequential needs at least one layer")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ValueError(
                    f"layer {i + 1}: expected a layer (Dense, Conv2D, MaxPool2D, AvgPool2D, "
                    f"Flatten), got {type(layer).__name__}"
                )
        if loss not in loss_mod.NAMES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(loss_mod.NAMES)}")
        dt = np.dtype(dtype)
        if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"dtype must be float32 or float64, got {dt}")
        if loss == "cross_entropy" and layers[-1].activation != "softmax":
            raise ValueError(
                f"{_where(len(layers), layers[-1])}: the cross_entropy loss needs a softmax "
                f"output layer, got activation {layers[-1].activation!r} "
                "(use activation='softmax' on the last layer)"
            )
        self.layers = layers
        self.loss = loss
        self.seed = seed
        self.dtype = dt
        self.init = init
        self._init_fn = init_mod.resolve(init)
        self._check_chain()
        self._shape_cache: dict = {}
        self._classes = None
        self.initialize(seed)

    # --- construction -------------------------------------------------------------------
    def _check_chain(self) -> None:
        flat = None  # known number of features of a flat output
        ch = None  # known channels of an image output
        kind = None  # "flat" | "image" | None (unknown)
        for l, layer in enumerate(self.layers, start=1):
            if isinstance(layer, Dense):
                if kind == "image":
                    raise ValueError(
                        f"{_where(l, layer)}: receives images (m, C, H, W) from layer {l - 1}; "
                        "add a Flatten layer before it"
                    )
                if flat is not None and flat != layer.n_in:
                    raise ValueError(
                        f"{_where(l, layer)}: n_in={layer.n_in} but layer {l - 1} outputs "
                        f"{flat} features"
                    )
                kind, flat = "flat", layer.n_out
            elif isinstance(layer, Conv2D | Pool2D):
                if kind == "flat":
                    raise ValueError(
                        f"{_where(l, layer)}: needs images (m, C, H, W) but layer {l - 1} "
                        "outputs flat vectors"
                    )
                if isinstance(layer, Conv2D):
                    if ch is not None and ch != layer.in_channels:
                        raise ValueError(
                            f"{_where(l, layer)}: in_channels={layer.in_channels} but layer "
                            f"{l - 1} outputs {ch} channels"
                        )
                    ch = layer.out_channels
                kind = "image"  # pooling keeps the channels
            elif isinstance(layer, Flatten):
                kind, flat, ch = "flat", None, None

    def initialize(self, seed=None) -> None:
        """(Re)draw every W from the initialiser (deterministic for a given seed); b = 0."""
        rng = np.random.default_rng(seed)
        for _, layer in self.param_layers():
            fn = self._init_fn or init_mod.default_for(layer.activation)
            fan_in, fan_out = layer.fans()
            shapes = layer.param_shapes()
            W = np.asarray(fn(shapes["W"], fan_in, fan_out, rng), dtype=self.dtype)
            if W.shape != shapes["W"]:
                raise ValueError(f"init returned shape {W.shape}, expected {shapes['W']}")
            layer.W = W
            layer.b = np.zeros(shapes["b"], dtype=self.dtype)

    def param_layers(self) -> list[tuple[int, Layer]]:
        """[(l, layer)] for the layers with parameters (l is 1-based over all layers)."""
        return [(l, layer) for l, layer in enumerate(self.layers, start=1) if layer.has_params]

    @property
    def num_params(self) -> int:
        return sum(layer.W.size + layer.b.size for _, layer in self.param_layers())

    # --- shapes & validation ------------------------------------------------------------
    def output_shapes(self, sample_shape: tuple) -> list[tuple]:
        """Per-sample output shape of every layer for inputs of sample shape ``sample_shape``."""
        shape = tuple(int(s) for s in sample_shape)
        out = []
        for l, layer in enumerate(self.layers, start=1):
            try:
                shape = layer.output_shape(shape)
            except ValueError as exc:
                raise ValueError(f"{_where(l, layer)}: {exc}") from None
            out.append(shape)
        return out

    def _shapes(self, sample_shape: tuple) -> list[tuple]:
        s = self._shape_cache.get(sample_shape)
        if s is None:
            s = self.output_shapes(sample_shape)
            if len(self._shape_cache) > 32:
                self._shape_cache.clear()
            self._shape_cache[sample_shape] = s
        return s

    def _check_x(self, x) -> np.ndarray:
        if type(x) is not np.ndarray or (x.dtype is not self.dtype and x.dtype != self.dtype):
            try:
                x = np.asarray(x, dtype=self.dtype)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"input: cannot be read as a {self.dtype} array ({exc})") from None
        first = self.layers[0]
        if x.ndim < 2:
            raise ValueError(
                f"input to {_where(1, first)}: expected a batch with one sample per row, "
                f"got shape {x.shape} (reshape a single sample x to x[None])"
            )
        if len(x) == 0:
            raise ValueError(f"input to {_where(1, first)}: the batch is empty (shape {x.shape})")
        if x.shape[1:] not in self._shape_cache:
            try:
                self._shapes(x.shape[1:])
            except ValueError as exc:
                raise ValueError(f"{exc} (input batch shape {x.shape})") from None
        # one reduction when the input is clean (NaN / inf propagate into the sum)
        if not math.isfinite(np.add.reduce(x, axis=None)) and not np.isfinite(x).all():
            bad = np.argwhere(~np.isfinite(x.reshape(len(x), -1)))[0][0]
            raise ValueError(
                f"input to {_where(1, first)} contains NaN or inf (first at sample {bad}, "
                f"batch shape {x.shape})"
            )
        return x

    def _check_y(self, y, x: np.ndarray) -> np.ndarray:
        out_shape = self._shapes(x.shape[1:])[-1]
        if self.loss == "cross_entropy" and len(out_shape) != 1:
            raise ValueError(
                f"{_where(len(self.layers), self.layers[-1])}: cross_entropy needs a flat output "
                f"(m, K), got per-sample output shape {out_shape}"
            )
        try:
            return loss_mod.check_targets(self.loss, y, len(x), out_shape, self.dtype)
        except ValueError as exc:
            raise ValueError(
                f"{exc} (network output of {_where(len(self.layers), self.layers[-1])}: "
                f"{(len(x), *out_shape)})"
            ) from None

    def prepare(self, x, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x, y, t): the batch and its targets checked (clear errors otherwise); t is what
        ``propagate`` takes (one-hot rows for class indices)."""
        x = self._check_x(x)
        if (
            self.loss == "cross_entropy"
            and type(y) is np.ndarray
            and y.ndim == 1
            and y.dtype.kind in "iu"
            and len(y) == len(x)
        ):
            # fast path for class indices: the one-hot comparison also checks the range
            classes = self._classes
            if classes is None or len(classes) != self.layers[-1].n_out:
                classes = self._classes = np.arange(self.layers[-1].n_out)
            match = y[:, None] == classes
            if np.count_nonzero(match) == len(y):
                return x, y, match.astype(self.dtype)
        y = self._check_y(y, x)
        return x, y, self._targets(y)

    def _targets(self, y: np.ndarray) -> np.ndarray:
        """What propagate needs: one-hot rows for class indices (cross_entropy), else y."""
        if y.ndim == 1 and self.loss == "cross_entropy":
            # a softmax output with a flat (m, K) shape is always a Dense layer
            return (y[:, None] == np.arange(self.layers[-1].n_out)).astype(self.dtype)
        return y

    # --- forward / backward -------------------------------------------------------------
    def _output(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(u, a) of the output layer for a checked batch, keeping no caches."""
        u = a
        for layer in self.layers:
            u, _ = layer.forward(a)
            a = layer.activate(u)
        return u, a

    def forward(self, x) -> np.ndarray:
        """y_hat = a^(L) for the batch x (one sample per row)."""
        return self._output(self._check_x(x))[1]

    predict = forward

    def propagate(self, x: np.ndarray, t: np.ndarray) -> Propagation:
        """Forward + backward on a checked batch (x, t from ``prepare``): every quantity of
        every layer, as a Propagation (lists indexed by layer position)."""
        layers = self.layers
        L = len(layers)
        us = [None] * L
        as_ = [None] * L
        caches = [None] * L
        a = x
        for i, layer in enumerate(layers):  # u^(l) = g_l(a^(l-1)), a^(l) = f_l(u^(l))
            u, caches[i] = layer.forward(a)
            us[i] = u
            if i < L - 1:
                a = as_[i] = layer.activate(u)
        out = layers[-1]
        dE_da = None  # dE/da^(L); softmax + cross-entropy go straight to delta^(L)
        if self.loss == "cross_entropy":
            a, losses, delta = loss_mod.softmax_cross_entropy(u, t)
        else:
            a = out.activate(u)
            losses = loss_mod.half_sse_losses(a, t)
            dE_da = loss_mod.half_sse_dE_da(a, t)
            delta = out.activation_backward(dE_da, u, a)
        as_[-1] = a
        m = len(x)
        loss = float(col_sums(losses)) / m  # E = (1/m) sum_n E_n

        deltas = [None] * L
        dE_das = [None] * L
        dWs = [None] * L
        dbs = [None] * L
        dE_das[-1] = dE_da
        for i in range(L - 1, -1, -1):
            layer = layers[i]
            if i < L - 1:
                # the notes' backward step: delta^(l) = f'(u^(l)) * dE/da^(l), where
                # dE/da^(l) = W^(l+1)T delta^(l+1) came out of layer l+1's backward
                delta = layer.activation_backward(dE_da, us[i], as_[i])
            deltas[i] = delta
            dE_da, dWs[i], dbs[i] = layer.backward(delta, caches[i], i > 0)
            if i > 0:
                dE_das[i - 1] = dE_da
        return Propagation(loss, losses, us, as_, caches, deltas, dE_das, dWs, dbs)

    def make_trace(self, x, y, t, prop: Propagation) -> Trace:
        """The Trace of one ``propagate`` (x, y as given to ``prepare``, t its targets)."""
        layers = list(self.layers)
        ce = self.loss == "cross_entropy"
        p = prop

        def build() -> list[LayerTrace]:
            lts = [
                LayerTrace(
                    i + 1,
                    layer,
                    p.us[i],
                    p.as_[i],
                    p.deltas[i],
                    p.dE_das[i],
                    p.dWs[i],
                    p.dbs[i],
                    p.caches[i],
                )  # fmt: skip
                for i, layer in enumerate(layers)
            ]
            if ce:  # dE/dy_hat = -t / (m y_hat), computed only if someone reads it
                lts[-1].set_lazy_dE_da(lambda: loss_mod.cross_entropy_dE_da(p.as_[-1], t))
            return lts

        return Trace(x, None, p.loss, p.losses, y, (p.dWs, p.dbs), build)

    def trace(self, x, y) -> Trace:
        """Forward then backward on the batch (x, y); every quantity kept (see Trace)."""
        x, y, t = self.prepare(x, y)
        return self.make_trace(x, y, t, self.propagate(x, t))

    def evaluate(self, x, y) -> dict:
        """{"loss": E, "accuracy": fraction correct (cross_entropy only)} on (x, y)."""
        x, y, t = self.prepare(x, y)
        u, a = self._output(x)
        if self.loss == "cross_entropy":
            losses = -(t * loss_mod.log_softmax(u)).sum(axis=1)
            acc = float((a.argmax(axis=1) == t.argmax(axis=1)).mean())
            return {"loss": float(losses.mean()), "accuracy": acc}
        return {"loss": float(loss_mod.half_sse_losses(a, t).mean())}

    def per_sample_gradients(self, x, y) -> dict[str, np.ndarray]:
        """dE_n/dW and dE_n/db for every sample n: {"W1": (m, *W1.shape), "b1": (m, *b1.shape)}.

        Their mean over n is the batch gradient trace.layers[l-1].dE_dW (E is the mean of E_n).
        Vectorised: each layer turns the per-sample deltas (m * delta of the batch mean) into
        per-sample outer products.
        """
        tr = self.trace(x, y)
        m = len(tr.a0)
        out = {}
        for lt in tr.layers:
            if lt.layer.has_params:
                dW, db = lt.layer.per_sample_grads(lt.delta * m, lt.cache)
                out[f"W{lt.l}"] = dW
                out[f"b{lt.l}"] = db
        return out

    def steps(self, x, y, optimizer=None) -> Iterator[StepEvent]:
        """Yield one StepEvent per stage: forward l=1..L, loss, backward l=L..1, then (with an
        optimizer) the update. Work happens lazily, so stopping after any event stops there; the
        parameters change only when the "update" event is produced."""
        x, y, t = self.prepare(x, y)
        layers = self.layers
        L = len(layers)
        a = x
        for l, layer in enumerate(layers, start=1):
            u, _ = layer.forward(a)
            a = layer.activate(u)
            yield StepEvent("forward", l=l, layer=layer, u=u, a=a)
        # the full pass (cheap next to a UI's pace) gives the exact numbers of trace()
        tr = self.make_trace(x, y, t, self.propagate(x, t))
        out = tr.layers[-1]
        yield StepEvent(
            "loss", l=L, layer=out.layer, loss=tr.loss, losses=tr.losses, y_hat=out.a,
            dE_da=out.dE_da, delta=out.delta,
        )  # fmt: skip
        for lt in reversed(tr.layers):
            prev = tr.layers[lt.l - 2].dE_da if lt.l > 1 else None
            yield StepEvent(
                "backward", l=lt.l, layer=lt.layer, u=lt.u, a=lt.a, delta=lt.delta,
                dE_da=lt.dE_da, dE_dW=lt.dE_dW, dE_db=lt.dE_db, dE_da_prev=prev,
            )  # fmt: skip
        if optimizer is not None:
            updates = optimizer.step(self, tr)
            yield StepEvent(
                "update", updates=updates, params=self.get_params(), trace=tr, loss=tr.loss
            )

    # --- parameters ---------------------------------------------------------------------
    def get_params(self) -> dict[str, np.ndarray]:
        """{"W1": ..., "b1": ..., ...} (copies) numbered by layer index l."""
        out = {}
        for l, layer in self.param_layers():
            out[f"W{l}"] = layer.W.copy()
            out[f"b{l}"] = layer.b.copy()
        return out

    def set_params(self, params: dict) -> None:
        """Set any subset of "W<l>"/"b<l>"; all are checked before any is written."""
        layers = dict(self.param_layers())
        staged = []
        for name, value in params.items():
            kind, num = str(name)[:1], str(name)[1:]
            if kind not in ("W", "b") or not num.isdigit() or int(num) not in layers:
                known = ", ".join(f"W{l}, b{l}" for l in layers)
                raise ValueError(
                    f"set_params: unknown parameter {name!r} (this network has {known})"
                )
            l = int(num)
            layer = layers[l]
            want = layer.param_shapes()[kind]
            arr = np.array(value, dtype=self.dtype)
            if arr.shape != want:
                raise ValueError(
                    f"set_params: {name} of {_where(l, layer)} must have shape {want}, "
                    f"got {arr.shape}"
                )
            if not np.isfinite(arr).all():
                raise ValueError(f"set_params: {name} of {_where(l, layer)} contains NaN or inf")
            staged.append((layer, kind, arr))
        for layer, kind, arr in staged:
            setattr(layer, kind, arr)

    # --- architecture & files -----------------------------------------------------------
    def spec(self) -> dict:
        """JSON-able architecture: loss, dtype, seed, init and each layer's type + arguments."""
        return {
            "format": SPEC_FORMAT,
            "loss": self.loss,
            "dtype": self.dtype.name,
            "seed": self.seed if isinstance(self.seed, int | None) else None,
            "init": init_mod.describe(self.init),
            "layers": [{"type": type(layer).__name__, **layer.config()} for layer in self.layers],
        }

    @classmethod
    def from_spec(cls, spec) -> Sequential:
        """Rebuild a network (freshly initialised under the spec's seed) from ``spec()``."""
        if isinstance(spec, str | bytes):
            try:
                spec = json.loads(spec)
            except json.JSONDecodeError as exc:
                raise ValueError(f"spec: not valid JSON ({exc})") from None
        if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list):
            raise ValueError("spec: expected a dict with a 'layers' list")
        layers = []
        for i, ls in enumerate(spec["layers"], start=1):
            if not isinstance(ls, dict) or ls.get("type") not in LAYER_TYPES:
                got = ls.get("type") if isinstance(ls, dict) else ls
                raise ValueError(
                    f"spec: layer {i}: unknown type {got!r} (known: {', '.join(LAYER_TYPES)})"
                )
            args = {k: v for k, v in ls.items() if k != "type"}
            try:
                layers.append(LAYER_TYPES[ls["type"]](**args))
            except TypeError as exc:
                raise ValueError(f"spec: layer {i} ({ls['type']}): {exc}") from None
            except ValueError as exc:
                raise ValueError(f"spec: layer {i}: {exc}") from None
        return cls(
            layers,
            spec.get("loss", "half_sse"),
            seed=spec.get("seed"),
            dtype=spec.get("dtype", "float64"),
            init=spec.get("init"),
        )

    def save(self, path) -> None:
        """Write spec + parameters to a .npz file (no pickles).

        Like ``np.savez``, ".npz" is appended to a path without it. The file is written next to
        its destination and renamed into place, so a failed save (full disk, bad parameter)
        leaves no partial file and keeps an older file of that name intact.
        """
        path = os.fspath(path)
        if not path.endswith(".npz"):
            path += ".npz"
        fd, tmp = tempfile.mkstemp(
            prefix=".", suffix=".part", dir=os.path.dirname(os.path.abspath(path))
        )
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, __spec__=np.array(json.dumps(self.spec())), **self.get_params())
            os.chmod(tmp, 0o644)  # mkstemp's 0600 would differ from a plain np.savez file
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    @classmethod
    def load(cls, path) -> Sequential:
        """Read a network written by ``save``."""
        try:
            with np.load(path, allow_pickle=False) as f:
                if not hasattr(f, "files") or "__spec__" not in f.files:
                    raise ValueError("not an nnweb engine file (no __spec__ entry)")
                spec = json.loads(str(f["__spec__"][()]))
                params = {k: f[k] for k in f.files if k != "__spec__"}
            net = cls.from_spec(spec)
            net.set_params(params)
        except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{path}: cannot be loaded as an nnweb network ({exc})") from None
        return net

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}], loss={self.loss!r}, dtype={self.dtype.name})"
