"""The playground service: one ``PlaygroundSession`` per open playground.

It holds the configuration, the network, the data, the stage cursor (how far the forward and
backward passes on the chosen sample or batch have been revealed) and the play state. The
websocket consumer and the REST views both call ``session.apply(message)``; nothing else in
the web layer touches the engine.

Stages follow the notes: forward l = 1..L reveals u^(l), a^(l) (and E_n after the last
layer); backward l = L..1 reveals dE/da^(l), delta^(l), dE/dW^(l), dE/db^(l); update applies
Delta W = -lr dE/dW (plus momentum and L2, engine.SGD) and reveals it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict

import numpy as np

from engine import SGD, Dense, Sequential, gradcheck
from engine import losses as loss_mod

from . import config as cfgmod
from . import data as datamod
from . import features, frames
from .config import Config, ConfigError

GRID = 64  # heatmap resolution
THUMB = 32  # neuron thumbnails (every other grid point)
CURVE = 256  # points of the fitted curve of 1-D data
HISTORY_MAX = 2000
MAX_EPOCH_STEPS = 2000  # mini-batches one "epoch" action may run
MAX_FRAME_SECONDS = 0.1  # training work per play frame, at most
GRADCHECK_CHECKS = 200  # entries per parameter array checked by engine.gradcheck
GRADCHECK_SHOWN = 4  # entries per parameter array shown in the table


class PlaygroundError(ValueError):
    """A refused action; the message is shown in the page."""

    def __init__(self, message: str, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def as_dict(self) -> dict:
        out = {"type": "error", "code": self.code, "message": self.message}
        if self.field:
            out["field"] = self.field
        return out


# Settings that only change how training goes on; the network keeps its weights.
TRAINING_FIELDS = {"lr", "batch_size", "momentum", "l2", "speed", "fps"}
DATA_FIELDS = {"dataset", "noise", "n_samples", "train_ratio", "added", "removed"}


def _is_anonymous(user) -> bool:
    return user is None or not getattr(user, "is_authenticated", False)


class PlaygroundSession:
    """Config + network + data + stage cursor + play state, behind one lock."""

    def __init__(
        self,
        config: Config,
        *,
        anonymous: bool = True,
        owner_id: int | None = None,
        data: datamod.PlaygroundData | None = None,
        session_id: str | None = None,
        user=None,
        net: Sequential | None = None,
    ) -> None:
        self.id = session_id or uuid.uuid4().hex
        self.lock = threading.RLock()
        self.anonymous = anonymous
        self.owner_id = owner_id
        self.config = config
        self.fixed_net = net is not None  # a model's network: architecture not editable
        self.model_id = None
        # the controls a classroom link hid: their actions are refused (see refuse_hidden)
        self.hidden_controls: frozenset[str] = frozenset()
        self.touched = time.monotonic()
        self.playing = False
        self.history: list[list] = []
        self.data = data if data is not None else datamod.load(config, user)
        self._prepare_inputs()
        if net is not None:
            self._check_model_net(net)
            self.net = net
            self._model_params = net.get_params()
        else:
            self.net = self._build_net()
        self.optimizer = self._build_optimizer()
        self._reset_counters()

    # --- construction -----------------------------------------------------------------
    @classmethod
    def create(cls, raw: dict | None, user=None, model_id=None) -> PlaygroundSession:
        """A new session from a raw config (ConfigError naming the field if refused)."""
        anonymous = _is_anonymous(user)
        cfg = cfgmod.validate(raw or {}, anonymous=anonymous)
        owner = None if anonymous else user.pk
        if model_id is not None:
            from .models_bridge import model_network

            net, data, cfg = model_network(model_id, user, cfg)
            s = cls(cfg, anonymous=anonymous, owner_id=owner, data=data, net=net)
            s.model_id = model_id
            return s
        return cls(cfg, anonymous=anonymous, owner_id=owner, user=user)

    def _prepare_inputs(self) -> None:
        d = self.data
        self.A_train = features.transform(d.X_train, self.config.features)
        self.A_test = features.transform(d.X_test, self.config.features)
        self.y_train = d.y_train
        self.y_test = d.y_test
        self._eval_A = np.concatenate([self.A_train, self.A_test])
        self._eval_y = np.concatenate([self.y_train, self.y_test])
        self.grid_inputs = None
        self.curve_x = None
        if d.extent is not None and len(d.extent) == 1:  # 1-D data: a fitted curve
            self.curve_x = np.linspace(d.extent[0][0], d.extent[0][1], CURVE)
        elif d.extent is not None:
            (x0, x1), (y0, y1) = d.extent
            gx = np.linspace(x0, x1, GRID)
            gy = np.linspace(y1, y0, GRID)  # row 0 at the top of the picture
            xx, yy = np.meshgrid(gx, gy)
            pts = np.stack([xx.ravel(), yy.ravel()], axis=1)
            self.grid_inputs = features.transform(pts, self.config.features)

    @property
    def n_outputs(self) -> int:
        if self.data.problem == "classification":
            return self.data.n_classes
        return self.data.y.shape[1]

    def _build_net(self) -> Sequential:
        cfg = self.config
        n_in = self.A_train.shape[1]
        sizes = [n_in, *cfg.hidden, self.n_outputs]
        acts = [*cfg.activations, cfg.output_activation]
        layers = [Dense(sizes[i], sizes[i + 1], activation=acts[i]) for i in range(len(acts))]
        init = None if cfg.init == "auto" else cfg.init
        return Sequential(layers, cfg.loss, seed=cfg.seed, init=init)

    def _check_model_net(self, net: Sequential) -> None:
        n_in = self.A_train.shape[1]
        first = net.layers[0]
        if getattr(first, "n_in", n_in) != n_in:
            raise ConfigError("model", f"the model expects {first.n_in} inputs, data has {n_in}")

    def _build_optimizer(self) -> SGD:
        c = self.config
        return SGD(c.lr, batch_size=c.batch_size, momentum=c.momentum, l2=c.l2)

    def _reset_counters(self) -> None:
        self.iteration = 0
        self.epoch = 0
        self.batch_pos = 0
        self.order = self._epoch_order()
        self.history = []
        self._clear_cursor()
        self.selection = np.array([0], dtype=np.int64)

    def _clear_cursor(self) -> None:
        self.trace = None
        self.trace_params = None
        self.phase = "idle"  # idle | forward | backward | updated
        self.fwd = 0  # layers revealed going forward
        self.bwd = 0  # layers revealed going backward
        self.updates = None
        self.per_sample = None
        self.selection_kind = "sample"

    def _epoch_order(self) -> np.ndarray:
        n = len(self.A_train)
        return np.random.default_rng([self.config.seed, self.epoch, 11]).permutation(n)

    @property
    def L(self) -> int:
        return len(self.net.layers)

    # --- dispatch ---------------------------------------------------------------------
    ACTIONS = (
        "state",
        "configure",
        "select",
        "forward",
        "backward",
        "update",
        "next",
        "step",
        "batch",
        "epoch",
        "play",
        "pause",
        "reset",
        "set_param",
        "gradcheck",
        "add_point",
        "remove_point",
        "frame",
    )

    def apply(self, msg: dict, user=None) -> dict:
        """Run one action message ({"action": name, ...}); returns the JSON-able reply.

        Refusals raise PlaygroundError / ConfigError (the caller turns them into messages).
        """
        if not isinstance(msg, dict):
            raise PlaygroundError("a message must be a JSON object with an 'action'")
        action = msg.get("action")
        if action not in self.ACTIONS:
            raise PlaygroundError(
                f"unknown action {action!r}; actions: {', '.join(self.ACTIONS)}", field="action"
            )
        with self.lock:
            self.refuse_hidden(self._next_stage() if action == "next" else action)
            self.touched = time.monotonic()
            if self.playing and action not in ("pause", "play", "state", "frame", "configure"):
                # stepping by hand pauses continuous training first
                self.playing = False
            return getattr(self, f"_do_{action}")(msg, user)

    def refuse_hidden(self, action: str, fields=()) -> None:
        """Refuse ``action`` (or a change of the settings ``fields``) when this session was opened
        through a classroom link that hides the control triggering it (``CONTROL_ACTIONS``)."""
        if not self.hidden_controls:
            return
        for control in sorted(self.hidden_controls):
            if action in CONTROL_ACTIONS.get(control, ()):
                raise PlaygroundError(
                    f"{action!r} is not available here: the instructor's classroom link turned "
                    f"off the {control!r} control",
                    code="forbidden",
                    field="action",
                )
        for name in sorted(set(fields) & self.hidden_controls):
            raise PlaygroundError(
                f"the setting {name!r} cannot be changed here: the instructor's classroom link "
                "turned it off",
                code="forbidden",
                field=name,
            )

    # --- actions ----------------------------------------------------------------------
    def _do_state(self, msg, user) -> dict:
        return self.state()

    def _do_configure(self, msg, user) -> dict:
        raw = msg.get("config")
        if not isinstance(raw, dict):
            raise PlaygroundError("configure needs a 'config' object", field="config")
        self.reconfigure(raw, user)
        return self.state()

    def reconfigure(self, raw: dict, user=None) -> None:
        new = cfgmod.validate(raw, anonymous=self.anonymous, base=self.config)
        old = self.config
        changed = {k for k, v in new.to_dict().items() if getattr(old, k) != v}
        if not changed:
            return
        self.refuse_hidden("configure", changed)
        if self.fixed_net and changed & {"hidden", "activations", "problem", "init", "features"}:
            raise PlaygroundError(
                "this network comes from a model: its layers cannot be changed here",
                field=sorted(changed & {"hidden", "activations", "problem", "init", "features"})[0],
            )
        data = self.data
        if self.fixed_net and changed & (DATA_FIELDS | {"seed"}):
            raise PlaygroundError(
                "this session's data is the model's task: it cannot be changed here",
                field=sorted(changed & (DATA_FIELDS | {"seed"}))[0],
            )
        if changed & (DATA_FIELDS | {"problem", "seed"}):
            data = datamod.load(new, user)
        old_inputs = self.A_train.shape[1]
        self.config = new
        self.data = data
        self._prepare_inputs()
        rebuild = bool(changed - TRAINING_FIELDS - DATA_FIELDS) or (
            self.A_train.shape[1] != old_inputs
        )
        rebuild = rebuild or self.net.layers[-1].n_out != self.n_outputs
        if rebuild and not self.fixed_net:
            self.net = self._build_net()
            self._reset_counters()
        else:
            self.order = self._epoch_order()
            self.batch_pos = 0
            self._clear_cursor()
        if changed & {"lr", "batch_size", "momentum", "l2"} or rebuild:
            self.optimizer = self._build_optimizer()
        if self.selection.max(initial=0) >= len(self.A_train):
            self.selection = np.array([0], dtype=np.int64)

    def _sample_index(self, msg, key="sample") -> int:
        n = msg.get(key)
        if n is None:
            return int(self.selection[0])
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n < len(self.A_train):
            raise PlaygroundError(
                f"{key} must be a training sample index 0..{len(self.A_train) - 1}, got {n!r}",
                field=key,
            )
        return n

    def _do_select(self, msg, user) -> dict:
        if "samples" in msg:
            idx = msg["samples"]
            if not isinstance(idx, list) or not idx or len(idx) > len(self.A_train):
                raise PlaygroundError(
                    "samples must be a non-empty list of indices", field="samples"
                )
            for i in idx:
                if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(self.A_train):
                    raise PlaygroundError(
                        f"samples: {i!r} is not a training sample index 0..{len(self.A_train) - 1}",
                        field="samples",
                    )
            self._clear_cursor()
            self.selection = np.asarray(idx, dtype=np.int64)
            self.selection_kind = "batch" if len(idx) > 1 else "sample"
        else:
            n = self._sample_index(msg)
            self._clear_cursor()
            self.selection = np.array([n], dtype=np.int64)
        return self.stage_view("select")

    def _new_trace(self) -> None:
        x = self.A_train[self.selection]
        y = self.y_train[self.selection]
        self.trace_params = self.net.get_params()
        self.trace = self.net.trace(x, y)
        self.updates = None
        self.per_sample = None

    def _do_forward(self, msg, user) -> dict:
        if "sample" in msg:
            n = self._sample_index(msg)
            self._clear_cursor()
            self.selection = np.array([n], dtype=np.int64)
        if self.phase in ("idle", "updated"):
            kind = self.selection_kind
            self._clear_cursor()
            self.selection_kind = kind
            self._new_trace()
            self.phase = "forward"
            self.fwd = 1
        elif self.phase == "forward" and self.fwd < self.L:
            self.fwd += 1
        else:
            raise PlaygroundError(
                "the forward pass is complete: go backward next (or reset the stage by "
                "choosing a sample)",
                code="stage",
            )
        return self.stage_view("forward", l=self.fwd)

    def _do_backward(self, msg, user) -> dict:
        if self.phase == "forward" and self.fwd == self.L:
            self.phase = "backward"
            self.bwd = 1
        elif self.phase == "backward" and self.bwd < self.L:
            self.bwd += 1
        elif self.phase == "backward":
            raise PlaygroundError(
                "back propagation is complete: update the weights next", code="stage"
            )
        else:
            left = self.L - self.fwd
            raise PlaygroundError(
                "finish the forward pass first"
                + (f" ({left} layer{'s' if left != 1 else ''} to go)" if self.trace else ""),
                code="stage",
            )
        return self.stage_view("backward", l=self.L - self.bwd + 1)

    def _apply_update(self) -> None:
        try:
            self.updates = self.optimizer.step(self.net, self.trace)
        except ValueError as exc:
            raise PlaygroundError(str(exc), code="diverged") from None
        self.iteration += 1
        self.phase = "updated"
        self.fwd = self.bwd = self.L

    def _do_update(self, msg, user) -> dict:
        if not (self.phase == "backward" and self.bwd == self.L):
            raise PlaygroundError(
                "back propagate through every layer before the update", code="stage"
            )
        self._apply_update()
        self._record(loss=self.trace.loss)
        return self.stage_view("update")

    def _do_next(self, msg, user) -> dict:
        if self.phase in ("idle", "updated") or (self.phase == "forward" and self.fwd < self.L):
            return self._do_forward({}, user)
        if self.phase == "forward" or (self.phase == "backward" and self.bwd < self.L):
            return self._do_backward({}, user)
        return self._do_update({}, user)

    def _do_step(self, msg, user) -> dict:
        n = self._sample_index(msg)
        self._clear_cursor()
        self.selection = np.array([n], dtype=np.int64)
        self._new_trace()
        self._apply_update()
        self._record(loss=self.trace.loss)
        return self.stage_view("step")

    def _next_batch(self) -> np.ndarray:
        n = len(self.A_train)
        m = min(self.config.batch_size, n)
        if self.batch_pos >= n:
            self.epoch += 1
            self.order = self._epoch_order()
            self.batch_pos = 0
        idx = self.order[self.batch_pos : self.batch_pos + m]
        self.batch_pos += m
        return idx

    def _do_batch(self, msg, user) -> dict:
        self._clear_cursor()
        self.selection = np.asarray(self._next_batch(), dtype=np.int64)
        self.selection_kind = "batch"
        self._new_trace()
        x = self.A_train[self.selection]
        y = self.y_train[self.selection]
        self.per_sample = self.net.per_sample_gradients(x, y)
        self._apply_update()
        self._record(loss=self.trace.loss)
        return self.stage_view("batch")

    def train_steps(self, k: int, budget: float | None = None) -> float:
        """k mini-batch updates (no stage bookkeeping), stopping early once ``budget`` seconds
        have been spent; returns the last batch's loss."""
        loss = float("nan")
        A, Y, net, opt = self.A_train, self.y_train, self.net, self.optimizer
        t_end = time.perf_counter() + budget if budget is not None else None
        for _ in range(k):
            if t_end is not None and time.perf_counter() > t_end:
                break
            idx = self._next_batch()
            tr = net.trace(A[idx], Y[idx])
            try:
                opt.step(net, tr)
            except ValueError as exc:
                self.playing = False
                raise PlaygroundError(str(exc), code="diverged") from None
            loss = tr.loss
            self.iteration += 1
        return loss

    def _do_epoch(self, msg, user) -> dict:
        self._clear_cursor()
        n = len(self.A_train)
        m = min(self.config.batch_size, n)
        k = min(-(-n // m), MAX_EPOCH_STEPS)
        if self.batch_pos >= n:
            self.batch_pos = n  # start a fresh epoch
        start_epoch = self.epoch
        self.train_steps(k)
        self._record()
        out = self.metrics_view("epoch")
        out["steps"] = k
        out["epochs_started"] = self.epoch - start_epoch
        return out

    def _do_play(self, msg, user) -> dict:
        self.playing = True
        out = self.metrics_view("play")
        return out

    def _do_pause(self, msg, user) -> dict:
        self.playing = False
        return self.metrics_view("pause")

    def _do_reset(self, msg, user) -> dict:
        self.playing = False
        if self.fixed_net:
            self.net.set_params(self._model_params)
        else:
            self.net.initialize(self.config.seed)
        self.optimizer.reset()
        self._reset_counters()
        return self.state()

    def _do_set_param(self, msg, user) -> dict:
        name = msg.get("name")
        params = self.net.get_params()
        if name not in params:
            raise PlaygroundError(
                f"no parameter {name!r}; this network has {', '.join(params)}", field="name"
            )
        arr = params[name]
        index = msg.get("index")
        if not isinstance(index, list) or len(index) != arr.ndim:
            raise PlaygroundError(
                f"index of {name} must be a list of {arr.ndim} integers (shape {list(arr.shape)})",
                field="index",
            )
        for k, (i, s) in enumerate(zip(index, arr.shape)):
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < s:
                raise PlaygroundError(
                    f"index[{k}] of {name} must be in 0..{s - 1} (shape {list(arr.shape)}), "
                    f"got {i!r}",
                    field="index",
                )
        value = msg.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            raise PlaygroundError(f"value must be a finite number, got {value!r}", field="value")
        if abs(value) > 1e6:
            raise PlaygroundError("value must be between -1e6 and 1e6", field="value")
        arr[tuple(index)] = float(value)
        self.net.set_params({name: arr})
        self._clear_cursor()
        out = self.stage_view("set_param")
        out["params"] = self.net.get_params()
        return out

    def _do_gradcheck(self, msg, user) -> dict:
        """Back propagation against central differences on the chosen sample or batch."""
        x = self.A_train[self.selection]
        y = self.y_train[self.selection]
        eps = 1e-6
        errors = gradcheck(self.net, x, y, eps=eps, max_checks=GRADCHECK_CHECKS)
        grads = self.net.trace(x, y).grads()
        rng = np.random.default_rng(0)
        rows = []
        for name, rel in errors.items():
            g = grads[name]
            k = min(GRADCHECK_SHOWN, g.size)
            flat_idx = np.sort(rng.choice(g.size, size=k, replace=False))
            entries = []
            for fi in flat_idx:
                index = [int(v) for v in np.unravel_index(fi, g.shape)]
                entries.append(
                    {
                        "index": index,
                        "backprop": float(g.reshape(-1)[fi]),
                        "numeric": self._numeric_grad(name, fi, x, y, eps),
                    }
                )
            rows.append({"name": name, "rel_error": rel, "ok": rel < 1e-5, "entries": entries})
        return {
            "type": "gradcheck",
            "selection": self.selection,
            "eps": eps,
            "rows": rows,
            "ok": all(r["ok"] for r in rows),
        }

    def _numeric_grad(self, name: str, flat_index: int, x, y, eps: float) -> float:
        """(E(theta + eps) - E(theta - eps)) / 2 eps for one entry of parameter ``name``."""
        layer = self.net.layers[int(name[1:]) - 1]
        flat = getattr(layer, name[0]).reshape(-1)
        old = flat[flat_index]
        try:
            flat[flat_index] = old + eps
            ep = self.net.evaluate(x, y)["loss"]
            flat[flat_index] = old - eps
            em = self.net.evaluate(x, y)["loss"]
        finally:
            flat[flat_index] = old
        return (ep - em) / (2 * eps)

    def _do_add_point(self, msg, user) -> dict:
        p = msg.get("point")
        if not isinstance(p, list) or len(p) != 3:
            raise PlaygroundError("point must be [x1, x2, target]", field="point")
        added = [*self.config.added, p]
        self.reconfigure({"added": added}, user)
        return self.state()

    def _do_remove_point(self, msg, user) -> dict:
        """Remove raw point ``index`` (a row of data.X as listed by state())."""
        i = msg.get("index")
        X = self.data.X
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(X):
            raise PlaygroundError(
                f"index must be a point 0..{len(X) - 1}, got {i!r}", field="index"
            )
        origin = int(self.data.origin[i])
        if origin >= 0:
            raw = {"removed": [*self.config.removed, origin]}
        else:
            k = i - int((self.data.origin >= 0).sum())
            added = [p for j, p in enumerate(self.config.added) if j != k]
            raw = {"added": added}
        self.reconfigure(raw, user)
        return self.state()

    def _do_frame(self, msg, user) -> dict:
        meta, arrays = self.frame()
        meta["arrays"] = frames.encode_arrays_b64(arrays)
        return meta

    # --- views ------------------------------------------------------------------------
    def _record(self, loss: float | None = None) -> None:
        m = self.evaluate()
        self.history.append(
            [self.iteration, m["train_loss"], m["test_loss"], m["train_acc"], m["test_acc"]]
        )
        if len(self.history) > HISTORY_MAX:
            self.history = self.history[::2]
        self._last_metrics = m

    def evaluate(self) -> dict:
        """Mean loss E and accuracy on the training and the test set (one forward pass)."""
        A, Y, n = self._eval_A, self._eval_y, len(self.A_train)
        a = A
        u = A
        for layer in self.net.layers:
            u, _ = layer.forward(a)
            a = layer.activate(u)
        if self.net.loss == "cross_entropy":
            rows = np.arange(len(A))
            losses = -loss_mod.log_softmax(u)[rows, Y]
            hits = a.argmax(axis=1) == Y
        else:
            losses = loss_mod.half_sse_losses(a, Y)
            hits = None
        tr, te = losses[:n], losses[n:]
        out = {
            "train_loss": float(tr.mean()),
            "test_loss": float(te.mean()) if len(te) else None,
            "train_acc": None,
            "test_acc": None,
        }
        if hits is not None:
            out["train_acc"] = float(hits[:n].mean())
            out["test_acc"] = float(hits[n:].mean()) if len(te) else None
        return out

    def metrics_view(self, action: str) -> dict:
        return {
            "type": "metrics",
            "action": action,
            "iteration": self.iteration,
            "epoch": self.epoch,
            "playing": self.playing,
            **self.evaluate(),
            "history": self.history[-200:],
        }

    def stage_view(self, action: str, l: int | None = None) -> dict:
        """The numbers revealed so far for the chosen sample or batch."""
        tr = self.trace
        layers = []
        for i, layer in enumerate(self.net.layers):
            lnum = i + 1
            entry = {
                "l": lnum,
                "activation": layer.activation,
                "n_in": layer.n_in,
                "n_out": layer.n_out,
            }
            if tr is not None:
                lt = tr.layers[i]
                if lnum <= self.fwd:
                    entry["u"] = lt.u
                    entry["a"] = lt.a
                if self.phase in ("backward", "updated") and lnum > self.L - self.bwd:
                    entry["dE_da"] = lt.dE_da
                    entry["delta"] = lt.delta
                    entry["dE_dW"] = lt.dE_dW
                    entry["dE_db"] = lt.dE_db
            layers.append(entry)
        sel = self.selection
        out = {
            "type": "stage",
            "action": action,
            "phase": self.phase,
            "l": l,
            "L": self.L,
            "forward_done": self.fwd if tr is not None else 0,
            "backward_done": self.bwd if self.phase in ("backward", "updated") else 0,
            "next": self._next_stage(),
            "iteration": self.iteration,
            "epoch": self.epoch,
            "selection": {
                "kind": self.selection_kind,
                "indices": sel,
                "x": self.data.X_train[sel],
                "t": self.y_train[sel],
            },
            "m": len(sel),
            "layers": layers,
        }
        if tr is not None:
            out["a0"] = tr.a0
            out["trace_params"] = self.trace_params
            if self.fwd == self.L:
                out["loss"] = tr.loss
                out["losses"] = tr.losses
                out["y_hat"] = tr.y_hat
        if self.updates is not None:
            out["update"] = self.updates
            out["params"] = self.net.get_params()
        if self.per_sample is not None:
            out["per_sample"] = self.per_sample
            out["mean"] = tr.grads()
        if action in ("step", "batch", "update"):
            out["metrics"] = self.history[-1] if self.history else None
        return out

    def _next_stage(self) -> str:
        if self.phase in ("idle", "updated") or (self.phase == "forward" and self.fwd < self.L):
            return "forward"
        if self.phase == "forward" or (self.phase == "backward" and self.bwd < self.L):
            return "backward"
        return "update"

    def network_view(self) -> dict:
        names = (
            self.config.features if self.data.n_inputs == 2 else
            [f"x{i + 1}" for i in range(self.data.n_inputs)]
        )  # fmt: skip
        return {
            "sizes": [self.net.layers[0].n_in] + [layer.n_out for layer in self.net.layers],
            "activations": [layer.activation for layer in self.net.layers],
            "loss": self.net.loss,
            "inputs": names,
            "input_labels": [features.LABELS.get(n, n) for n in names],
            "fixed": self.fixed_net,
        }

    def state(self) -> dict:
        d = self.data
        return {
            "type": "state",
            "session": self.id,
            "config": self.config.to_dict(),
            "limits": cfgmod.limits(self.anonymous),
            "network": self.network_view(),
            "params": self.net.get_params(),
            "data": {
                "source": d.source,
                "problem": d.problem,
                "n_classes": d.n_classes,
                "class_names": d.class_names,
                "X": d.X,
                "y": d.y,
                "train_idx": d.train_idx,
                "test_idx": d.test_idx,
                "extent": d.extent,
                "n_inputs": d.n_inputs,
            },
            "grid": GRID if self.grid_inputs is not None else None,
            "thumb": THUMB if self.grid_inputs is not None else None,
            "curve": CURVE if self.curve_x is not None else None,
            "iteration": self.iteration,
            "epoch": self.epoch,
            "playing": self.playing,
            "history": self.history,
            "stage": self.stage_view("state"),
        }

    # --- frames (continuous training) -------------------------------------------------
    def grid_outputs(self) -> tuple[np.ndarray | None, list[np.ndarray]]:
        """(output over the grid (K, G, G), [a^(l) over the grid for hidden layers])."""
        if self.grid_inputs is None:
            return None, []
        a = self.grid_inputs
        hidden = []
        layers = self.net.layers
        for i, layer in enumerate(layers):
            u, _ = layer.forward(a)
            a = layer.activate(u)
            if i < len(layers) - 1:
                hidden.append(a)
        out = a.T.reshape(-1, GRID, GRID)
        return out, hidden

    def frame(self) -> tuple[dict, dict[str, np.ndarray]]:
        """Metadata and heavy arrays of one frame (see frames.py for the encoding)."""
        m = self.evaluate()
        meta = {
            "type": "frame",
            "iteration": self.iteration,
            "epoch": self.epoch,
            "playing": self.playing,
            **m,
            "grid": GRID if self.grid_inputs is not None else None,
            "thumb": THUMB,
        }
        arrays: dict[str, np.ndarray] = {}
        out, hidden = self.grid_outputs()
        if out is not None:
            arrays["out"] = out.astype(np.float32)
            if hidden:
                neurons = np.concatenate([h.T for h in hidden], axis=0)
                neurons = neurons.reshape(-1, GRID, GRID)[:, ::2, ::2]
                q, rng = frames.quantize_u8(neurons)
                arrays["neurons"] = q
                arrays["neuron_range"] = rng
        if self.curve_x is not None:
            arrays["curve_x"] = self.curve_x.astype(np.float32)
            arrays["curve"] = self.net.forward(self.curve_x[:, None]).T.astype(np.float32)
        for name, p in self.net.get_params().items():
            arrays[name] = p.astype(np.float32)
        return meta, arrays

    def play_frame(self) -> bytes | None:
        """Advance training by ``speed`` mini-batches and return one binary frame.

        Returns None when not playing (paused, or stopped by a refusal)."""
        with self.lock:
            if not self.playing:
                return None
            self.touched = time.monotonic()
            try:
                self.train_steps(self.config.speed, budget=MAX_FRAME_SECONDS)
            except PlaygroundError as exc:
                meta = {"type": "error", "code": exc.code, "message": exc.message}
                return frames.encode_binary(meta, {})
            self._record()
            meta, arrays = self.frame()
        return frames.encode_binary(meta, arrays)

    # --- persistence ------------------------------------------------------------------
    def snapshot(self) -> dict:
        """Everything an experiment saves: settings, network, weights, loss history."""
        return {
            "config": self.config.to_dict(),
            "network": self.net.spec(),
            "params": {k: v.tolist() for k, v in self.net.get_params().items()},
            "history": self.history,
            "iteration": self.iteration,
            "epoch": self.epoch,
        }

    def restore(self, snap: dict) -> None:
        """Load weights, counters and history saved by ``snapshot`` into this session."""
        params = snap.get("params") or {}
        try:
            self.net.set_params({k: np.asarray(v, dtype=np.float64) for k, v in params.items()})
        except ValueError as exc:
            raise PlaygroundError(f"saved weights do not fit this network: {exc}") from None
        self.iteration = int(snap.get("iteration", 0))
        self.epoch = int(snap.get("epoch", 0))
        self.history = [list(h) for h in snap.get("history", [])][-HISTORY_MAX:]
        self.order = self._epoch_order()
        self._clear_cursor()


class SessionStore:
    """Open playground sessions of this process (bounded; idle ones are dropped)."""

    def __init__(self, max_sessions: int = 500, idle_seconds: float = 3600.0) -> None:
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, PlaygroundSession] = OrderedDict()

    def add(self, session: PlaygroundSession) -> PlaygroundSession:
        with self._lock:
            self._evict()
            self._sessions[session.id] = session
            self._sessions.move_to_end(session.id)
        return session

    def get(self, session_id: str) -> PlaygroundSession | None:
        with self._lock:
            s = self._sessions.get(session_id)
            if s is not None:
                self._sessions.move_to_end(session_id)
            return s

    def discard(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._sessions)

    def _evict(self) -> None:
        now = time.monotonic()
        for sid in [k for k, s in self._sessions.items() if now - s.touched > self.idle_seconds]:
            del self._sessions[sid]  # a playing socket touches its session every frame
        while len(self._sessions) >= self.max_sessions:
            self._sessions.popitem(last=False)


store = SessionStore()


CACHE_PREFIX = "nnweb:playground:session:"


def persist(session: PlaygroundSession) -> None:
    """Copy the session's state to the shared cache, so that another web process (several
    ASGI processes behind one address, Redis as the cache) can take it over."""
    from django.core.cache import cache

    with session.lock:
        state = {
            "config": session.config.to_dict(),
            "anonymous": session.anonymous,
            "owner_id": session.owner_id,
            "model_id": session.model_id,
            "hidden_controls": sorted(session.hidden_controls),
            "params": session.net.get_params(),
            "history": session.history,
            "iteration": session.iteration,
            "epoch": session.epoch,
        }
    try:
        cache.set(CACHE_PREFIX + session.id, state, timeout=int(store.idle_seconds))
    except Exception:  # noqa: BLE001 - the cache is a convenience; this process still has it
        pass


def forget(session_id: str) -> None:
    from django.core.cache import cache

    try:
        cache.delete(CACHE_PREFIX + session_id)
    except Exception:  # noqa: BLE001
        pass


def _from_cache(session_id: str, user) -> PlaygroundSession | None:
    from django.core.cache import cache

    try:
        state = cache.get(CACHE_PREFIX + session_id)
    except Exception:  # noqa: BLE001
        return None
    if not state:
        return None
    owner = state["owner_id"]
    if owner is not None and (_is_anonymous(user) or user.pk != owner):
        raise PlaygroundError("this playground session belongs to someone else", code="forbidden")
    cfg = cfgmod.validate(state["config"], anonymous=state["anonymous"])
    if state.get("model_id") is not None:
        s = PlaygroundSession.create(state["config"], user=user, model_id=state["model_id"])
    else:
        s = PlaygroundSession(
            cfg, anonymous=state["anonymous"], owner_id=owner, user=user, session_id=session_id
        )
    s.id = session_id
    s.anonymous = state["anonymous"]
    s.owner_id = owner
    s.hidden_controls = frozenset(state.get("hidden_controls") or ())
    s.restore(state)
    return store.add(s)


def get_session(session_id: str, user=None) -> PlaygroundSession:
    """The open session ``session_id`` if ``user`` may use it (PlaygroundError otherwise).

    A session this process does not hold is taken over from the shared cache when another
    process left it there (see ``persist``)."""
    session_id = str(session_id)
    s = store.get(session_id)
    if s is None:
        s = _from_cache(session_id, user)
    if s is None:
        raise PlaygroundError(
            "this playground session has expired or does not exist; reload the page",
            code="not_found",
        )
    if s.owner_id is not None and (_is_anonymous(user) or user.pk != s.owner_id):
        raise PlaygroundError("this playground session belongs to someone else", code="forbidden")
    return s


# --- saved experiments and classroom links (database) ------------------------------------
MAX_EXPERIMENTS_PER_USER = 200
MAX_LINKS_PER_USER = 200


def _name(name, field: str = "name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise PlaygroundError("give the experiment a name", field=field)
    name = name.strip()
    if len(name) > 120:
        raise PlaygroundError("a name has at most 120 characters", field=field)
    return name


def save_experiment(session: PlaygroundSession, user, name, experiment_id=None) -> dict:
    """Save (or overwrite ``experiment_id``) the session as an experiment of ``user``."""
    from .models import Experiment

    if _is_anonymous(user):
        raise PlaygroundError("sign in to save experiments", code="forbidden")
    session.refuse_hidden("save")
    with session.lock:
        snap = session.snapshot()
    if experiment_id is not None:
        exp = Experiment.objects.filter(pk=experiment_id, owner=user).first()
        if exp is None:
            raise PlaygroundError(f"no experiment {experiment_id} of yours", code="not_found")
        if name is not None:
            exp.name = _name(name)
    else:
        if Experiment.objects.filter(owner=user).count() >= MAX_EXPERIMENTS_PER_USER:
            raise PlaygroundError(
                f"at most {MAX_EXPERIMENTS_PER_USER} saved experiments; delete some first",
                code="limit",
            )
        exp = Experiment(owner=user, name=_name(name))
    exp.config = snap["config"]
    exp.network = snap["network"]
    exp.params = snap["params"]
    exp.history = snap["history"]
    exp.iteration = snap["iteration"]
    exp.epoch = snap["epoch"]
    exp.save()
    return {"type": "saved", "experiment": exp.summary()}


def list_experiments(user) -> list[dict]:
    from .models import Experiment

    if _is_anonymous(user):
        return []
    return [e.summary() for e in Experiment.objects.filter(owner=user)]


def get_experiment(user, experiment_id):
    from .models import Experiment

    exp = None
    if not _is_anonymous(user):
        try:
            exp = Experiment.objects.filter(pk=int(experiment_id), owner=user).first()
        except (TypeError, ValueError):
            exp = None
    if exp is None:
        raise PlaygroundError(f"no experiment {experiment_id!r} of yours", code="not_found")
    return exp


def open_experiment(user, experiment_id) -> PlaygroundSession:
    """A new session with a saved experiment's settings, weights and history."""
    exp = get_experiment(user, experiment_id)
    session = PlaygroundSession.create(exp.config, user=user)
    session.restore(
        {
            "params": exp.params,
            "history": exp.history,
            "iteration": exp.iteration,
            "epoch": exp.epoch,
        }
    )
    session.experiment_id = exp.pk
    return store.add(session)


def delete_experiment(user, experiment_id) -> None:
    get_experiment(user, experiment_id).delete()


HIDEABLE_CONTROLS = (
    *cfgmod.FIELD_NAMES,
    "forward",
    "backward",
    "update",
    "step",
    "batch",
    "epoch",
    "play",
    "reset",
    "set_param",
    "gradcheck",
    "data_editor",
    "save",
)

# The actions each hideable control triggers; a hidden setting (a name of cfgmod.FIELD_NAMES)
# refuses a "configure" that changes it. "next" counts as the stage it would reveal.
CONTROL_ACTIONS = {
    "forward": ("forward",),
    "backward": ("backward",),
    "update": ("update",),
    "step": ("step",),
    "batch": ("batch",),
    "epoch": ("epoch",),
    "play": ("play",),
    "reset": ("reset",),
    "set_param": ("set_param",),
    "gradcheck": ("gradcheck",),
    "data_editor": ("add_point", "remove_point"),
    "save": ("save",),
}


def create_classroom_link(user, raw_config, hide, title="") -> dict:
    from nnweb.core.permissions import is_instructor

    from .models import ClassroomLink

    if not is_instructor(user):
        raise PlaygroundError("only instructors make classroom links", code="forbidden")
    cfg = cfgmod.validate(raw_config or {}, anonymous=True)  # students may be anonymous
    if not isinstance(hide, list) or not all(isinstance(h, str) for h in hide):
        raise PlaygroundError("hide must be a list of control names", field="hide")
    bad = [h for h in hide if h not in HIDEABLE_CONTROLS]
    if bad:
        raise PlaygroundError(
            f"unknown control {bad[0]!r}; controls: {', '.join(HIDEABLE_CONTROLS)}", field="hide"
        )
    if not isinstance(title, str) or len(title) > 120:
        raise PlaygroundError("title has at most 120 characters", field="title")
    if ClassroomLink.objects.filter(owner=user).count() >= MAX_LINKS_PER_USER:
        raise PlaygroundError(f"at most {MAX_LINKS_PER_USER} classroom links", code="limit")
    link = ClassroomLink.objects.create(
        owner=user, title=title.strip(), config=cfg.to_dict(), hidden_controls=sorted(set(hide))
    )
    return link.as_dict()


def get_classroom_link(token: str):
    from .models import ClassroomLink

    link = ClassroomLink.objects.filter(token=str(token)).first()
    if link is None:
        raise PlaygroundError("no such classroom link", code="not_found")
    return link


def open_classroom(user, token, raw_config=None) -> PlaygroundSession:
    """A new session opened through the classroom link ``token``: the link's settings (the
    student's ``raw_config`` may change only the settings the link does not hide), and the
    link's hidden controls refused from then on."""
    link = get_classroom_link(token)
    hidden = frozenset(link.hidden_controls or ())
    raw = dict(link.config or {})
    if isinstance(raw_config, dict):
        raw.update({k: v for k, v in raw_config.items() if k not in hidden})
    session = PlaygroundSession.create(raw, user=user)
    session.hidden_controls = hidden
    return store.add(session)
