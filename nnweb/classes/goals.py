"""Playground challenges: the goal an instructor sets and the server's check of it.

A goal is checked on the student's own live playground session, read through the playground's
public ``get_session`` (which refuses a session that is not theirs); nothing the browser says
about accuracy or loss is used. Three measures:

``accuracy``  test accuracy >= ``min_test_accuracy`` on ``dataset`` (a classification toy),
              optionally with at most ``max_hidden_neurons`` and/or exactly ``hidden_layers``.
``loss``      test E <= ``max_test_loss`` (the playground's mean E over the test set: half the
              squared error for regression, cross-entropy for classification).
``diverge``   a learning rate that makes training diverge: the server re-trains the student's
              settings from a fresh start and the loss becomes NaN/inf or grows tenfold.

Every goal also requires the data as generated (no points added or removed by hand), at least
``min_samples`` points and noise >= ``min_noise``, so a goal cannot be met by editing the test set.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from rest_framework import serializers

from nnweb.playground import data as playground_data

from . import playground_api as playground

MEASURES = ("accuracy", "loss", "diverge")
DIVERGE_STEPS = 400  # mini-batches the server re-trains for a "diverge" goal
DIVERGE_GROWTH = 10.0  # loss this many times its start counts as diverged


@dataclass
class Goal:
    measure: str
    dataset: str
    min_test_accuracy: float | None = None
    max_test_loss: float | None = None
    max_hidden_neurons: int | None = None
    hidden_layers: int | None = None
    min_samples: int = 100
    min_noise: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> Goal:
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})

    def describe(self) -> str:
        """The goal in one sentence, as students read it."""
        if self.measure == "accuracy":
            text = f"test accuracy ≥ {self.min_test_accuracy:.0%} on {self.dataset}"
        elif self.measure == "loss":
            text = f"test E ≤ {self.max_test_loss:g} on {self.dataset}"
        else:
            text = f"find a learning rate that makes training diverge on {self.dataset}"
        limits = []
        if self.hidden_layers is not None:
            n = self.hidden_layers
            limits.append(f"{n} hidden layer{'s' if n != 1 else ''}")
        if self.max_hidden_neurons is not None:
            limits.append(f"at most {self.max_hidden_neurons} hidden neurons")
        return text + (" with " + " and ".join(limits) if limits else "")


class GoalSerializer(serializers.Serializer):
    """Validates a challenge goal (the ``goal`` field of a challenge assignment)."""

    measure = serializers.ChoiceField(choices=MEASURES)
    dataset = serializers.ChoiceField(choices=sorted(playground_data.TOYS))
    min_test_accuracy = serializers.FloatField(
        min_value=0.0, max_value=1.0, required=False, allow_null=True
    )
    max_test_loss = serializers.FloatField(min_value=0.0, required=False, allow_null=True)
    max_hidden_neurons = serializers.IntegerField(
        min_value=1, max_value=512, required=False, allow_null=True
    )
    hidden_layers = serializers.IntegerField(
        min_value=0, max_value=8, required=False, allow_null=True
    )
    min_samples = serializers.IntegerField(min_value=4, max_value=2000, default=100)
    min_noise = serializers.FloatField(min_value=0.0, max_value=1.0, default=0.0)

    def validate(self, attrs: dict) -> dict:
        measure = attrs["measure"]
        problem = playground_data.TOYS[attrs["dataset"]][0]
        if measure == "accuracy":
            if attrs.get("min_test_accuracy") is None:
                raise serializers.ValidationError(
                    {"min_test_accuracy": "an accuracy goal needs the accuracy to reach (0..1)"}
                )
            if problem != "classification":
                raise serializers.ValidationError(
                    {"dataset": f"{attrs['dataset']} is a regression toy; it has no accuracy"}
                )
        if measure == "loss" and attrs.get("max_test_loss") is None:
            raise serializers.ValidationError(
                {"max_test_loss": "a loss goal needs the test E to get below"}
            )
        return attrs


@dataclass
class Check:
    passed: bool
    measured: dict
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"passed": self.passed, "measured": self.measured, "reasons": self.reasons}


def _finite(x) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _diverges(session: playground.PlaygroundSession) -> tuple[bool, dict]:
    """Re-train the session's settings from a fresh start (same seed, data, lr) on the server."""
    fresh = playground.PlaygroundSession(
        session.config, anonymous=session.anonymous, owner_id=session.owner_id, data=session.data
    )
    start = fresh.evaluate()["train_loss"]
    # overflow to inf is the expected outcome here, not a warning worth printing
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            fresh.train_steps(DIVERGE_STEPS)
        except playground.PlaygroundError as exc:
            if exc.code != "diverged":
                raise
            return True, {"start_loss": start, "end_loss": None, "steps": fresh.iteration}
        end = fresh.evaluate()["train_loss"]
    grew = not math.isfinite(end) or end > DIVERGE_GROWTH * max(start, 1e-12)
    return grew, {"start_loss": start, "end_loss": _finite(end), "steps": fresh.iteration}


def check(goal: Goal, session: playground.PlaygroundSession) -> Check:
    """Whether ``session`` (the student's own, fetched by the caller) meets ``goal``."""
    with session.lock:
        cfg = session.config
        hidden = list(cfg.hidden)
        measured: dict = {
            "dataset": cfg.dataset,
            "hidden": hidden,
            "hidden_neurons": sum(hidden),
            "iteration": session.iteration,
            "lr": cfg.lr,
        }
        reasons: list[str] = []
        if cfg.dataset != goal.dataset:
            reasons.append(f"the playground trains on {cfg.dataset}, the goal is on {goal.dataset}")
        if cfg.problem != playground_data.TOYS.get(goal.dataset, ("classification",))[0]:
            reasons.append(f"the problem must be {playground_data.TOYS[goal.dataset][0]}")
        if cfg.added or cfg.removed:
            reasons.append("use the data as generated: no points added or removed by hand")
        if cfg.n_samples < goal.min_samples:
            reasons.append(f"use at least {goal.min_samples} points (you have {cfg.n_samples})")
        if cfg.noise < goal.min_noise:
            reasons.append(f"noise must be at least {goal.min_noise:g} (you have {cfg.noise:g})")
        if goal.max_hidden_neurons is not None and sum(hidden) > goal.max_hidden_neurons:
            reasons.append(
                f"at most {goal.max_hidden_neurons} hidden neurons (your network has {sum(hidden)})"
            )
        if goal.hidden_layers is not None and len(hidden) != goal.hidden_layers:
            reasons.append(
                f"use {goal.hidden_layers} hidden layer(s) (your network has {len(hidden)})"
            )
        if session.iteration == 0 and goal.measure != "diverge":
            reasons.append("train the network first (it has not taken a step yet)")
        if reasons:
            return Check(False, measured, reasons)
        if goal.measure == "diverge":
            diverged, info = _diverges(session)
            measured.update(info)
            if not diverged:
                reasons.append(
                    f"with lr = {cfg.lr:g} training does not diverge in {DIVERGE_STEPS} steps; "
                    "try a larger learning rate"
                )
            return Check(diverged, measured, reasons)
        m = session.evaluate()
    measured["test_accuracy"] = _finite(m["test_acc"])
    measured["test_loss"] = _finite(m["test_loss"])
    if goal.measure == "accuracy":
        acc = measured["test_accuracy"]
        if acc is None or acc < goal.min_test_accuracy:
            shown = "none" if acc is None else f"{acc:.1%}"
            reasons.append(f"test accuracy is {shown}, the goal is {goal.min_test_accuracy:.0%}")
    else:
        loss = measured["test_loss"]
        if loss is None or loss > goal.max_test_loss:
            shown = "not finite" if loss is None else f"{loss:.4g}"
            reasons.append(f"test E is {shown}, the goal is ≤ {goal.max_test_loss:g}")
    return Check(not reasons, measured, reasons)
