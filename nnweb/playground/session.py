"""The state of one open playground: ``PlaygroundSession``.

It holds the configuration, the network, the data, the stage cursor (how far the forward and
backward passes on the chosen sample or batch have been revealed) and the play state, and
writes the views the page draws from (state, stage, metrics, frames). What each action does
to it is in actions.py; where sessions are kept is store.py.

Stages follow the notes: forward l = 1..L reveals u^(l), a^(l) (and E_n after the last
layer); backward l = L..1 reveals dE/da^(l), delta^(l), dE/dW^(l), dE/db^(l); update applies
Delta W = -lr dE/dW (plus momentum and L2, engine.SGD) and reveals it.
"""

from __future__ import annotations

import threading
import time
import uuid

import numpy as np

from engine import SGD, Dense, Sequential
from engine import activations as act_mod
from engine import losses as loss_mod

from . import config as cfgmod
from . import data as datamod
from . import features, frames
from .config import Config, ConfigError
from .controls import refuse_hidden
from .errors import PlaygroundError, is_anonymous, ws_reply
from .models_bridge import model_network

GRID = 64  # heatmap resolution
THUMB = 32  # neuron thumbnails (every other grid point)
CURVE = 256  # points of the fitted curve of 1-D data
HISTORY_MAX = 2000
MAX_FRAME_SECONDS = 0.1  # training work per play frame, at most

# Settings that only change how training goes on; the network keeps its weights.
TRAINING_FIELDS = {"lr", "batch_size", "momentum", "l2", "speed", "fps"}
DATA_FIELDS = {"dataset", "noise", "n_samples", "train_ratio", "added", "removed"}


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
        anonymous = is_anonymous(user)
        cfg = cfgmod.validate(raw or {}, anonymous=anonymous)
        owner = None if anonymous else user.pk
        if model_id is not None:
            net, data, cfg = model_network(model_id, user, cfg)
            s = cls(cfg, anonymous=anonymous, owner_id=owner, data=data, net=net)
            s.model_id = model_id
            return s
        return cls(cfg, anonymous=anonymous, owner_id=owner, user=user)

    # What _prepare_inputs derives from the data and the settings (the scaled-out shared state
    # leaves these out and rebuilds them: the heatmap grid's inputs alone are 64 KiB).
    INPUT_FIELDS = (
        "A_train", "A_test", "y_train", "y_test", "_eval_A", "_eval_y", "grid_inputs", "curve_x"
    )  # fmt: skip

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
        self.clear_cursor()
        self.selection = np.array([0], dtype=np.int64)

    def clear_cursor(self) -> None:
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

    def refuse_hidden(self, action: str, fields=()) -> None:
        """Refuse ``action`` or a change of ``fields`` hidden by this session's classroom link."""
        refuse_hidden(self.hidden_controls, action, fields)

    # --- the stage cursor and training ------------------------------------------------
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
                field="config."
                + sorted(changed & {"hidden", "activations", "problem", "init", "features"})[0],
            )
        data = self.data
        if self.fixed_net and changed & (DATA_FIELDS | {"seed"}):
            raise PlaygroundError(
                "this session's data is the model's task: it cannot be changed here",
                field="config." + sorted(changed & (DATA_FIELDS | {"seed"}))[0],
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
            self.clear_cursor()
        if changed & {"lr", "batch_size", "momentum", "l2"} or rebuild:
            self.optimizer = self._build_optimizer()
        if self.selection.max(initial=0) >= len(self.A_train):
            self.selection = np.array([0], dtype=np.int64)

    def sample_index(self, msg, key="sample") -> int:
        n = msg.get(key)
        if n is None:
            return int(self.selection[0])
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n < len(self.A_train):
            raise PlaygroundError(
                f"{key} must be a training sample index 0..{len(self.A_train) - 1}, got {n!r}",
                field=key,
            )
        return n

    def new_trace(self) -> None:
        x = self.A_train[self.selection]
        y = self.y_train[self.selection]
        self.trace_params = self.net.get_params()
        self.trace = self.net.trace(x, y)
        self.updates = None
        self.per_sample = None

    def apply_update(self) -> None:
        try:
            self.updates = self.optimizer.step(self.net, self.trace)
        except ValueError as exc:
            raise PlaygroundError(str(exc), code="diverged") from None
        self.iteration += 1
        self.phase = "updated"
        self.fwd = self.bwd = self.L

    def next_batch(self) -> np.ndarray:
        n = len(self.A_train)
        m = min(self.config.batch_size, n)
        if self.batch_pos >= n:
            self.epoch += 1
            self.order = self._epoch_order()
            self.batch_pos = 0
        idx = self.order[self.batch_pos : self.batch_pos + m]
        self.batch_pos += m
        return idx

    def train_steps(self, k: int, budget: float | None = None) -> float:
        """k mini-batch updates (no stage bookkeeping), stopping early once ``budget`` seconds
        have been spent; returns the last batch's loss."""
        loss = float("nan")
        A, Y, net, opt = self.A_train, self.y_train, self.net, self.optimizer
        t_end = time.perf_counter() + budget if budget is not None else None
        for _ in range(k):
            if t_end is not None and time.perf_counter() > t_end:
                break
            idx = self.next_batch()
            tr = net.trace(A[idx], Y[idx])
            try:
                opt.step(net, tr)
            except ValueError as exc:
                self.playing = False
                raise PlaygroundError(str(exc), code="diverged") from None
            loss = tr.loss
            self.iteration += 1
        return loss

    # --- views ------------------------------------------------------------------------
    def record(self, loss: float | None = None) -> None:
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
            "params": self.net.get_params(),
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
                    if layer.activation != "softmax":  # f'(u) from the engine, for the page
                        entry["f_prime"] = act_mod.derivative(layer.activation, lt.u)
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
            "next": self.next_stage(),
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
        # the weights now (after an update they differ from trace_params): the page draws
        # every edge from these, whatever the action
        out["params"] = self.net.get_params()
        if self.updates is not None:
            out["update"] = self.updates
        if self.per_sample is not None:
            out["per_sample"] = self.per_sample
            out["mean"] = tr.grads()
        if action in ("step", "batch", "update"):
            out["metrics"] = self.history[-1] if self.history else None
        return out

    def next_stage(self) -> str:
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
            "metrics": self.evaluate(),
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
            # one byte per grid point and output (its range beside it): a quarter of float32,
            # and what permessage-deflate then compresses costs a quarter of the time too
            arrays["out"], arrays["out_range"] = frames.quantize_u8(out)
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

    def play_step(self) -> tuple[dict, dict[str, np.ndarray]] | None:
        """Advance training by ``speed`` mini-batches; the frame to send (meta, arrays).

        None when not playing (paused, or stopped by a refusal, which is sent as the frame's
        error)."""
        with self.lock:
            if not self.playing:
                return None
            self.touched = time.monotonic()
            try:
                self.train_steps(self.config.speed, budget=MAX_FRAME_SECONDS)
            except PlaygroundError as exc:
                return ws_reply(exc), {}  # the refusal's error items, as the socket sends them
            self.record()
            return self.frame()

    def play_frame(self) -> bytes | None:
        """``play_step`` as one binary frame (frames.encode_binary)."""
        step = self.play_step()
        return None if step is None else frames.encode_binary(*step)

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
        self.clear_cursor()
