"""PlaygroundSession and its helpers without the web layer: config limits, features, frames,
metrics against the engine, snapshot/restore."""

from __future__ import annotations

import numpy as np
import pytest

from nnweb.playground import config as cfgmod
from nnweb.playground import features, frames
from nnweb.playground.actions import dispatch
from nnweb.playground.config import ConfigError
from nnweb.playground.errors import PlaygroundError
from nnweb.playground.session import PlaygroundSession


def test_config_limits_name_the_field():
    assert cfgmod.validate({"hidden": [16] * 6}, anonymous=True).hidden == [16] * 6
    assert cfgmod.validate({"hidden": [64] * 8}, anonymous=False).hidden == [64] * 8
    cases = [
        ({"hidden": [16] * 7}, True, "hidden"),
        ({"hidden": [4, 17]}, True, "hidden[1]"),
        ({"hidden": [65]}, False, "hidden[0]"),
        ({"hidden": [4] * 9}, False, "hidden"),
        ({"lr": 0}, True, "lr"),
        ({"momentum": 1}, True, "momentum"),
        ({"batch_size": 0}, True, "batch_size"),
        ({"speed": 21}, True, "speed"),
        ({"speed": 51}, False, "speed"),
        ({"fps": 61}, False, "fps"),
        ({"features": []}, True, "features"),
        ({"features": ["x3"]}, True, "features[0]"),
        ({"problem": "ranking"}, True, "problem"),
        ({"init": "orthogonal"}, True, "init"),
        ({"added": [[0, 0]]}, True, "added[0]"),
        ({"bogus": 1}, True, "bogus"),
    ]
    for raw, anon, field in cases:
        with pytest.raises(ConfigError) as exc:
            cfgmod.validate(raw, anonymous=anon)
        assert exc.value.field == field, (raw, str(exc.value))
        # the message names the field as a student reads it ("hidden layer 2", not "hidden[1]")
        label = cfgmod._label(field)
        assert str(exc.value).startswith(label + ":")


def test_one_activation_applies_to_every_hidden_layer():
    c = cfgmod.validate({"hidden": [3, 3, 3], "activations": ["relu"]})
    assert c.activations == ["relu"] * 3
    c = cfgmod.validate({"hidden": "5,4", "activations": "tanh,sigmoid", "lr": "0.5"})
    assert c.hidden == [5, 4] and c.activations == ["tanh", "sigmoid"] and c.lr == 0.5


def test_features_are_the_chosen_columns_in_order():
    X = np.array([[1.0, 2.0], [-0.5, 0.25]])
    A = features.transform(X, ["x1x2", "x1", "sin_x2", "x2^2"])
    assert np.allclose(A, np.stack([X[:, 0], X[:, 1] ** 2, X[:, 0] * X[:, 1], np.sin(X[:, 1])], 1))
    s = PlaygroundSession.create({"features": ["x1", "x2", "x1^2"], "hidden": [3]})
    assert s.net.layers[0].n_in == 3 and np.allclose(s.A_train[:, 2], s.data.X_train[:, 0] ** 2)


def test_frames_round_trip_and_quantisation():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.array([1, 2, 3], dtype=np.uint8)
    meta, arrays = frames.decode_binary(
        frames.encode_binary({"type": "frame", "k": 1}, {"a": a, "b": b})
    )
    assert meta == {"type": "frame", "k": 1}
    assert np.array_equal(arrays["a"], a) and np.array_equal(arrays["b"], b)
    assert np.array_equal(frames.decode_arrays_b64(frames.encode_arrays_b64({"a": a}))["a"], a)
    q, rng = frames.quantize_u8(np.array([[0.0, 0.5, 1.0], [2.0, 2.0, 2.0]]))
    assert q.tolist() == [[0, 128, 255], [0, 0, 0]] and rng.tolist() == [[0, 1], [2, 2]]
    assert len(frames.encode_binary({}, {"a": a})) % 8 == 0


def test_metrics_equal_the_engines_evaluate():
    for cfg in (
        {"dataset": "spiral", "hidden": [6]},
        {"dataset": "plane", "problem": "regression"},
    ):
        s = PlaygroundSession.create(cfg)
        s.train_steps(3)
        m = s.evaluate()
        tr = s.net.evaluate(s.A_train, s.y_train)
        te = s.net.evaluate(s.A_test, s.y_test)
        assert m["train_loss"] == pytest.approx(tr["loss"], rel=1e-12)
        assert m["test_loss"] == pytest.approx(te["loss"], rel=1e-12)
        assert m["test_acc"] == te.get("accuracy")


def test_snapshot_restore_and_stage_errors():
    s = PlaygroundSession.create({"hidden": [3]})
    dispatch(s, {"action": "batch"})
    snap = s.snapshot()
    t = PlaygroundSession.create(snap["config"])
    t.restore(snap)
    for k, v in s.net.get_params().items():
        assert np.array_equal(t.net.get_params()[k], v)
    assert t.iteration == 1
    with pytest.raises(PlaygroundError, match="back propagate through every layer"):
        dispatch(t, {"action": "update"})
    with pytest.raises(PlaygroundError, match="sample must be a training sample index"):
        dispatch(t, {"action": "step", "sample": 10_000})
    bad = PlaygroundSession.create({"hidden": [4]})
    with pytest.raises(PlaygroundError, match="do not fit"):
        bad.restore(snap)


def test_regression_output_delta_is_identity_half_sse():
    s = PlaygroundSession.create({"dataset": "plane", "problem": "regression", "hidden": [3]})
    dispatch(s, {"action": "forward", "sample": 4})
    dispatch(s, {"action": "forward"})
    dispatch(s, {"action": "backward"})
    v = s.stage_view("x")
    out = v["layers"][-1]
    y = s.y_train[[4]]
    assert np.allclose(out["delta"], out["a"] - y)  # m = 1: delta = y_hat - y
    assert v["loss"] == pytest.approx(0.5 * float(((out["a"] - y) ** 2).sum()))


def test_the_default_setup_learns_xor_within_three_seconds_of_play():
    """At the default seed, XOR reaches 95% test accuracy within the mini-batches that Play runs
    in 3 s at a modest 20 frames per second (speed mini-batches per frame)."""
    cfg = cfgmod.Config()
    assert cfg.dataset == "xor"
    budget = 3 * 20 * cfg.speed
    s = PlaygroundSession.create({})
    while s.iteration < budget and s.evaluate()["test_acc"] < 0.95:
        s.train_steps(cfg.speed)
    assert s.evaluate()["test_acc"] >= 0.95, (s.iteration, s.evaluate())


def test_the_spiral_preset_learns():
    from django.test import RequestFactory

    from frontend.pages.playground import PRESETS, _config_from_query

    query = dict(PRESETS)["Spiral with x₁², x₂², sin features"]
    cfg, error = _config_from_query(RequestFactory().get(f"/playground/?{query}"), True)
    assert error is None and "sin_x1" in cfg.features
    s = PlaygroundSession(cfg)
    while s.iteration < 1000 and s.evaluate()["test_acc"] < 0.9:
        s.train_steps(cfg.speed)
    assert s.evaluate()["test_acc"] >= 0.9, s.iteration


def test_refusals_name_the_field_and_the_value():
    with pytest.raises(ConfigError, match="hidden layer 2: '4x' is not a whole number"):
        cfgmod.validate({"hidden": "4,4x"})
    with pytest.raises(ConfigError, match="lr: 'fast' is not a number"):
        cfgmod.validate({"lr": "fast"})


def test_the_stage_sends_f_prime_from_the_engine():
    """The page shows f'(u) as the engine computes it (no copy of the derivative in the page)."""
    from engine import activations

    s = PlaygroundSession.create({"hidden": [3, 2], "activations": ["tanh", "relu"]})
    for _ in range(3):
        dispatch(s, {"action": "forward", "sample": 1} if _ == 0 else {"action": "forward"})
    v = s.stage_view("x")
    for lv, lt in zip(v["layers"][:2], s.trace.layers[:2]):
        assert np.array_equal(lv["f_prime"], activations.derivative(lv["activation"], lt.u))
    assert "f_prime" not in v["layers"][2]  # softmax: its backward is delta = y_hat - t
