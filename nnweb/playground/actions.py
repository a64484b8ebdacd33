"""What each playground action does, and the one dispatch that the REST view and the
websocket consumer both call.

An action is a message ``{"action": name, ...}``. ``dispatch`` checks it, runs its handler
under the session's lock and returns a ``Reply``: the JSON body, or a frame (meta + arrays)
that each transport encodes its own way (binary on the socket, base64 over REST), and whether
continuous training starts or stops. The transports read those fields; none of them
special-cases an action by name.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rest_framework.fields import empty

from engine import gradcheck as engine_gradcheck

from . import serializers as ser
from . import store
from .config import ConfigError
from .errors import PlaygroundError, is_anonymous
from .experiments import save_experiment
from .session import PlaygroundSession

MAX_EPOCH_STEPS = 2000  # mini-batches one "epoch" action may run
GRADCHECK_CHECKS = 200  # entries per parameter array checked by engine.gradcheck
GRADCHECK_SHOWN = 4  # entries per parameter array shown in the table


@dataclass
class Reply:
    body: dict | None = None
    frame: tuple[dict, dict[str, np.ndarray]] | None = None
    play: str | None = None  # "start" | "stop" | None: what happens to continuous training


@dataclass(frozen=True)
class Action:
    name: str
    handler: Callable
    uses_db: bool = False  # runs where the database may be used (datasets, experiments)
    keeps_playing: bool = False  # stepping by hand pauses continuous training; these do not
    play: str | None = None  # "start" / "stop": the transport starts or stops its play loop
    serializer: type[ser.ActionSerializer] = ser.ActionSerializer  # the message's fields
    one_step: bool = False  # at most one training step and one metrics pass (see consumers)


ACTIONS: dict[str, Action] = {}


def action(name: str, *, serializer=ser.ActionSerializer, **kw) -> Callable:
    """Register an action; its message is checked by ``serializer`` with ``action`` = name."""

    def register(fn: Callable) -> Callable:
        fields = {"action": ser.serializers.ChoiceField(choices=[name]), "__module__": __name__}
        form = type(f"Playground{name.title().replace('_', '')}Serializer", (serializer,), fields)
        ACTIONS[name] = Action(name, fn, serializer=form, **kw)
        return fn

    return register


def get(msg) -> Action:
    """The action a message names (a ValidationError about ``action`` otherwise)."""
    name = msg.get("action") if isinstance(msg, dict) else None
    if type(name) is str and name in ACTIONS:  # what the choice field below accepts
        return ACTIONS[name]
    if not isinstance(msg, dict):
        raise ser.serializers.ValidationError(["a message must be a JSON object with an 'action'"])
    names = ser.serializers.ChoiceField(
        choices=list(ACTIONS),
        error_messages={
            "invalid_choice": f"unknown action '{{input}}'; actions: {', '.join(ACTIONS)}"
        },
    )
    names.bind("action", ser.ActionSerializer())
    try:
        return ACTIONS[names.run_validation(msg.get("action", empty))]
    except ser.serializers.ValidationError as exc:
        raise ser.serializers.ValidationError({"action": exc.detail}) from None


# One serializer per action and thread, its fields built once: DRF deep-copies a serializer's
# declared fields for every new instance, which was most of the cost of checking a small message.
_forms = threading.local()


def validated(session: PlaygroundSession, spec: Action, msg: dict, user) -> dict:
    """The message checked by its action's serializer (a ValidationError naming the field).

    Checked by this thread's serializer of the action; a message it refuses is checked again
    by a new one, so a refusal reads exactly as DRF's ``is_valid`` writes it."""
    context = {"anonymous": is_anonymous(user), "base": session.config}
    forms = getattr(_forms, "by_action", None)
    if forms is None:
        forms = _forms.by_action = {}
    form = forms.get(spec.name)
    if form is None or type(form) is not spec.serializer:
        form = forms[spec.name] = spec.serializer(context=context)
    form._context = context  # what Serializer.__init__ sets; its fields read it as .context
    try:
        return form.run_validation(msg)  # what is_valid() runs
    except ser.serializers.ValidationError:
        pass
    fresh = spec.serializer(data=msg, context=context)
    fresh.is_valid(raise_exception=True)
    return fresh.validated_data


def request_schema() -> ser.PolymorphicProxySerializer:
    """The REST action body in the OpenAPI schema: one of the actions' messages."""
    return ser.action_request_schema({n: a.serializer for n, a in ACTIONS.items()})


def dispatch(session: PlaygroundSession, msg: dict, user=None) -> Reply:
    """Run one action message on ``session``; refusals raise ValidationError (the message),
    PlaygroundError or ConfigError (the session's state)."""
    spec = get(msg)
    with session.lock, store.acting(session):  # scaled out: on the authoritative state
        data = validated(session, spec, msg, user)  # against the settings now in force
        session.refuse_hidden(session.next_stage() if spec.name == "next" else spec.name)
        session.touched = time.monotonic()
        if session.playing and not spec.keeps_playing:
            session.playing = False
        out = spec.handler(session, data, user)
    reply = out if isinstance(out, Reply) else Reply(body=out)
    reply.play = reply.play or spec.play
    return reply


# --- the stages ----------------------------------------------------------------------------
@action("state", keeps_playing=True)
def state(s: PlaygroundSession, msg, user) -> dict:
    return s.state()


@action("select", one_step=True, serializer=ser.SelectSerializer)
def select(s: PlaygroundSession, msg, user) -> dict:
    if "samples" in msg:
        idx = msg["samples"]
        n = len(s.A_train)
        for i in idx:  # types and sign checked by SelectSerializer, the bound here
            if i >= n:
                raise PlaygroundError(
                    f"samples: {i!r} is not a training sample index 0..{n - 1}", field="samples"
                )
        s.clear_cursor()
        s.selection = np.asarray(idx, dtype=np.int64)
        s.selection_kind = "batch" if len(idx) > 1 else "sample"
    else:
        n = s.sample_index(msg)
        s.clear_cursor()
        s.selection = np.array([n], dtype=np.int64)
    return s.stage_view("select")


@action("forward", one_step=True, serializer=ser.SampleActionSerializer)
def forward(s: PlaygroundSession, msg, user) -> dict:
    if "sample" in msg:
        n = s.sample_index(msg)
        s.clear_cursor()
        s.selection = np.array([n], dtype=np.int64)
    if s.phase in ("idle", "updated"):
        kind = s.selection_kind
        s.clear_cursor()
        s.selection_kind = kind
        s.new_trace()
        s.phase = "forward"
        s.fwd = 1
    elif s.phase == "forward" and s.fwd < s.L:
        s.fwd += 1
    else:
        raise PlaygroundError(
            "the forward pass is complete: go backward next (or reset the stage by "
            "choosing a sample)",
            code="stage",
        )
    return s.stage_view("forward", l=s.fwd)


@action("backward", one_step=True)
def backward(s: PlaygroundSession, msg, user) -> dict:
    if s.phase == "forward" and s.fwd == s.L:
        s.phase = "backward"
        s.bwd = 1
    elif s.phase == "backward" and s.bwd < s.L:
        s.bwd += 1
    elif s.phase == "backward":
        raise PlaygroundError("back propagation is complete: update the weights next", code="stage")
    else:
        left = s.L - s.fwd
        raise PlaygroundError(
            "finish the forward pass first"
            + (f" ({left} layer{'s' if left != 1 else ''} to go)" if s.trace else ""),
            code="stage",
        )
    return s.stage_view("backward", l=s.L - s.bwd + 1)


@action("update", one_step=True)
def update(s: PlaygroundSession, msg, user) -> dict:
    if not (s.phase == "backward" and s.bwd == s.L):
        raise PlaygroundError("back propagate through every layer before the update", code="stage")
    s.apply_update()
    s.record()
    return s.stage_view("update")


@action("next", one_step=True)
def next_stage(s: PlaygroundSession, msg, user) -> dict:
    stage = s.next_stage()
    return {"forward": forward, "backward": backward, "update": update}[stage](s, {}, user)


@action("step", one_step=True, serializer=ser.SampleActionSerializer)
def step(s: PlaygroundSession, msg, user) -> dict:
    n = s.sample_index(msg)
    s.clear_cursor()
    s.selection = np.array([n], dtype=np.int64)
    s.new_trace()
    s.apply_update()
    s.record()
    return s.stage_view("step")


@action("batch")
def batch(s: PlaygroundSession, msg, user) -> dict:
    s.clear_cursor()
    s.selection = np.asarray(s.next_batch(), dtype=np.int64)
    s.selection_kind = "batch"
    s.new_trace()
    x = s.A_train[s.selection]
    y = s.y_train[s.selection]
    s.per_sample = s.net.per_sample_gradients(x, y)
    s.apply_update()
    s.record()
    return s.stage_view("batch")


@action("epoch")
def epoch(s: PlaygroundSession, msg, user) -> dict:
    s.clear_cursor()
    n = len(s.A_train)
    m = min(s.config.batch_size, n)
    k = min(-(-n // m), MAX_EPOCH_STEPS)
    if s.batch_pos >= n:
        s.batch_pos = n  # start a fresh epoch
    start_epoch = s.epoch
    s.train_steps(k)
    s.record()
    out = s.metrics_view("epoch")
    out["steps"] = k
    out["epochs_started"] = s.epoch - start_epoch
    return out


# --- continuous training -------------------------------------------------------------------
@action("play", keeps_playing=True, play="start")
def play(s: PlaygroundSession, msg, user) -> dict:
    s.playing = True
    return s.metrics_view("play")


@action("pause", keeps_playing=True, play="stop")
def pause(s: PlaygroundSession, msg, user) -> dict:
    s.playing = False
    return s.metrics_view("pause")


@action("frame", keeps_playing=True)
def frame(s: PlaygroundSession, msg, user) -> Reply:
    return Reply(frame=s.frame())


# --- editing the network and the data ------------------------------------------------------
@action("configure", uses_db=True, keeps_playing=True, serializer=ser.ConfigureSerializer)
def configure(s: PlaygroundSession, msg, user) -> dict:
    s.reconfigure(msg["config"], user)
    return s.state()


@action("reset")
def reset(s: PlaygroundSession, msg, user) -> dict:
    s.playing = False
    if s.fixed_net:
        s.net.set_params(s._model_params)
    else:
        s.net.initialize(s.config.seed)
    s.optimizer.reset()
    s._reset_counters()
    return s.state()


@action("set_param", serializer=ser.SetParamSerializer)
def set_param(s: PlaygroundSession, msg, user) -> dict:
    name = msg.get("name")
    params = s.net.get_params()
    if name not in params:
        raise PlaygroundError(
            f"no parameter {name!r}; this network has {', '.join(params)}", field="name"
        )
    arr = params[name]
    index = msg["index"]  # integers >= 0 (SetParamSerializer); the shape is checked here
    if len(index) != arr.ndim:
        raise PlaygroundError(
            f"index of {name} must be a list of {arr.ndim} integers (shape {list(arr.shape)})",
            field="index",
        )
    for k, (i, n) in enumerate(zip(index, arr.shape)):
        if i >= n:
            raise PlaygroundError(
                f"index[{k}] of {name} must be in 0..{n - 1} (shape {list(arr.shape)}), got {i!r}",
                field="index",
            )
    arr[tuple(index)] = msg["value"]  # finite, within +-1e6 (SetParamSerializer)
    s.net.set_params({name: arr})
    s.clear_cursor()
    out = s.stage_view("set_param")
    out["params"] = s.net.get_params()
    return out


@action("add_point", uses_db=True, serializer=ser.AddPointSerializer)
def add_point(s: PlaygroundSession, msg, user) -> dict:
    try:
        s.reconfigure({"added": [*s.config.added, msg["point"]]}, user)
    except ConfigError as exc:  # e.g. too many points: about this point, not a setting typed
        raise PlaygroundError(str(exc), field="point") from None
    return s.state()


@action("remove_point", uses_db=True, serializer=ser.RemovePointSerializer)
def remove_point(s: PlaygroundSession, msg, user) -> dict:
    """Remove raw point ``index`` (a row of data.X as listed by state())."""
    i = msg["index"]
    X = s.data.X
    if i >= len(X):
        raise PlaygroundError(f"index must be a point 0..{len(X) - 1}, got {i!r}", field="index")
    origin = int(s.data.origin[i])
    if origin >= 0:
        raw = {"removed": [*s.config.removed, origin]}
    else:
        k = i - int((s.data.origin >= 0).sum())
        raw = {"added": [p for j, p in enumerate(s.config.added) if j != k]}
    s.reconfigure(raw, user)
    return s.state()


# --- checks and saving ---------------------------------------------------------------------
@action("gradcheck")
def gradcheck(s: PlaygroundSession, msg, user) -> dict:
    """Back propagation against central differences on the chosen sample or batch."""
    x = s.A_train[s.selection]
    y = s.y_train[s.selection]
    eps = 1e-6
    errors = engine_gradcheck(s.net, x, y, eps=eps, max_checks=GRADCHECK_CHECKS)
    grads = s.net.trace(x, y).grads()
    rng = np.random.default_rng(0)
    rows = []
    for name, rel in errors.items():
        g = grads[name]
        k = min(GRADCHECK_SHOWN, g.size)
        flat_idx = np.sort(rng.choice(g.size, size=k, replace=False))
        entries = [
            {
                "index": [int(v) for v in np.unravel_index(fi, g.shape)],
                "backprop": float(g.reshape(-1)[fi]),
                "numeric": _numeric_grad(s, name, fi, x, y, eps),
            }
            for fi in flat_idx
        ]
        rows.append({"name": name, "rel_error": rel, "ok": rel < 1e-5, "entries": entries})
    return {
        "type": "gradcheck",
        "selection": s.selection,
        "eps": eps,
        "rows": rows,
        "ok": all(r["ok"] for r in rows),
    }


def _numeric_grad(s: PlaygroundSession, name: str, flat_index: int, x, y, eps: float) -> float:
    """(E(theta + eps) - E(theta - eps)) / 2 eps for one entry of parameter ``name``."""
    layer = s.net.layers[int(name[1:]) - 1]
    flat = getattr(layer, name[0]).reshape(-1)
    old = flat[flat_index]
    try:
        flat[flat_index] = old + eps
        ep = s.net.evaluate(x, y)["loss"]
        flat[flat_index] = old - eps
        em = s.net.evaluate(x, y)["loss"]
    finally:
        flat[flat_index] = old
    return (ep - em) / (2 * eps)


@action("save", uses_db=True, keeps_playing=True, serializer=ser.SaveSerializer)
def save(s: PlaygroundSession, msg, user) -> dict:
    return save_experiment(s, user, msg["name"], msg.get("experiment"))
