"""Playground pages: /playground/ and instructors' classroom links /playground/c/<token>/.

The page is server-rendered (the controls are a GET form, so without JavaScript a student can
still change the setup and read the network's description); frontend/ts/pages/playground.ts
hydrates it: it opens a playground session (REST), a websocket to it, and draws the panels.
"""

import numpy as np
from csp.decorators import csp_replace
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.clickjacking import xframe_options_sameorigin

from nnweb.core.permissions import is_instructor
from nnweb.playground import config as cfgmod
from nnweb.playground import data as datamod
from nnweb.playground import features
from nnweb.playground import selectors as playground_selectors
from nnweb.playground.config import ConfigError
from nnweb.playground.controls import HIDEABLE_CONTROLS
from nnweb.playground.errors import PlaygroundError

QUERY_KEYS = {
    "n": "n_samples",
    "ratio": "train_ratio",
    "m": "batch_size",
}

ACTION_BUTTONS = [
    ("play", "Play", "train continuously (space)"),
    ("reset", "Reset", "new weights from the seed"),
    ("forward", "Forward", "one layer forward: u, a (→)"),
    ("backward", "Backward", "one layer back: δ, ∂E/∂W"),
    ("update", "Update", "W ← W − η ∂E/∂W"),
    ("step", "Step", "forward, backward and update on the chosen sample"),
    ("batch", "Mini-batch", "one update on the next mini-batch of m samples"),
    ("epoch", "Epoch", "one pass over the training set"),
    ("gradcheck", "Gradient check", "back propagation against finite differences"),
]

# Setups that learn, one click away (plain links: they work without JavaScript too).
PRESETS = [
    ("XOR, 4 tanh neurons", "dataset=xor&hidden=4&activations=tanh&lr=0.3&speed=5"),
    (
        "Spiral with x₁², x₂², sin features",
        "dataset=spiral&features=x1,x2,x1^2,x2^2,sin_x1,sin_x2&hidden=8,8&activations=tanh"
        "&lr=0.1&momentum=0.9&speed=10",
    ),
    ("Sine curve, 8 tanh neurons", "dataset=sine&problem=regression&hidden=8&lr=0.1&speed=10"),
]


def _thumbnail(name: str) -> list[tuple[float, float, int]]:
    """Small scatter of a toy data set for its picker button: (x, y) in 0..40, class or 0."""
    X, y = datamod._toy(name, 60, 0.05, 1)
    if X.shape[1] == 1:
        X = np.concatenate([X, np.asarray(y, dtype=float).reshape(len(X), -1)[:, :1]], axis=1)
        y = np.zeros(len(X), dtype=int)
    y = np.asarray(y)
    lo, hi = X.min(axis=0), X.max(axis=0)
    P = 2 + 36 * (X[:, :2] - lo[:2]) / np.where(hi[:2] > lo[:2], hi[:2] - lo[:2], 1)
    cls = y.astype(int) if y.ndim == 1 and np.all(y == y.astype(int)) else np.zeros(len(X), int)
    return [(round(float(a), 1), round(float(40 - b), 1), int(c) % 2) for (a, b), c in zip(P, cls)]


def _config_from_query(request, anonymous: bool):
    raw = {}
    for key in request.GET:
        field = QUERY_KEYS.get(key, key)
        if field in cfgmod.FIELD_NAMES and field not in ("added", "removed"):
            # the form sends one "features" per ticked box, a shared link one comma list
            raw[field] = ",".join(request.GET.getlist(key))
    try:
        return cfgmod.validate(raw, anonymous=anonymous), None
    except ConfigError as exc:
        return cfgmod.Config(), str(exc)


def _uploaded(user) -> list[tuple[str, str, str]]:
    """(value, name, task) of the instructors' datasets the user may see."""
    datasets = playground_selectors.uploaded_datasets(user)
    return [(f"dataset:{d.pk}", d.name, d.task) for d in datasets]


def _flag(request, name: str) -> str:
    """A query flag's value ("" when absent or switched off with 0/false)."""
    value = request.GET.get(name)
    if value is None or value in ("0", "false"):
        return ""
    return value or "1"


def _guided(request) -> str:
    """The guided mode (?guided=forward|backward|1): "forward", "backward", "all" or ""."""
    value = _flag(request, "guided")
    return value if value in ("", "forward", "backward") else "all"


def _context(request, cfg, error=None, classroom=None):
    anonymous = not request.user.is_authenticated
    guided = _guided(request)
    return {
        "guided": guided,
        # the compact layout for a lesson's <iframe>: diagram, formula and stage controls only
        "embed": bool(guided and _flag(request, "embed")),
        "title": "Playground",
        "cfg": cfg,
        "cfg_json": cfg.to_dict(),
        "defaults": cfgmod.Config().to_dict(),  # the page's defaults: config.py is their source
        "config_error": error,
        "toys": [(n, p, d) for n, (p, d) in datamod.TOYS.items()],
        "thumbs": [(n, p, d, _thumbnail(n)) for n, (p, d) in datamod.TOYS.items()],
        "presets": PRESETS,
        "uploaded": _uploaded(request.user),
        "features": [(n, features.LABELS[n], n in cfg.features) for n in features.FEATURES],
        "activations": cfgmod.HIDDEN_ACTIVATIONS,
        "inits": cfgmod.INITS,
        "limits": cfgmod.limits(anonymous),
        "sizes": [len(cfg.features), *cfg.hidden, "K"],
        "buttons": ACTION_BUTTONS,
        "classroom": classroom,
        "can_save": not anonymous,
        "can_make_links": is_instructor(request.user),
        "hideable": HIDEABLE_CONTROLS,
        "experiments": playground_selectors.list_experiments(request.user),
    }


@xframe_options_sameorigin  # lessons embed the guided playground in an <iframe>
@csp_replace({"frame-ancestors": ["'self'"]})
def index(request):
    cfg, error = _config_from_query(request, not request.user.is_authenticated)
    return render(request, "frontend/playground/index.html", _context(request, cfg, error))


def classroom(request, token):
    try:
        link = playground_selectors.get_classroom_link(token)
    except PlaygroundError:
        raise Http404("no such classroom link") from None
    cfg = cfgmod.validate(link.config, anonymous=True)
    info = {"token": link.token, "title": link.title, "hide": link.hidden_controls}
    return render(request, "frontend/playground/index.html", _context(request, cfg, None, info))


urlpatterns = [
    path("playground/", index, name="playground"),
    path("playground/c/<str:token>/", classroom, name="playground-classroom"),
]
