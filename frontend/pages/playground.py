"""Playground pages: /playground/ and instructors' classroom links /playground/c/<token>/.

The page is server-rendered (the controls are a GET form, so without JavaScript a student can
still change the setup and read the network's description); frontend/ts/pages/playground.ts
hydrates it: it opens a playground session (REST), a websocket to it, and draws the panels.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.views.decorators.clickjacking import xframe_options_sameorigin

from nnweb.core.permissions import is_instructor
from nnweb.playground import classroom as classroom_links
from nnweb.playground import config as cfgmod
from nnweb.playground import data as datamod
from nnweb.playground import experiments, features
from nnweb.playground.config import ConfigError
from nnweb.playground.controls import HIDEABLE_CONTROLS
from nnweb.playground.errors import PlaygroundError

QUERY_KEYS = {
    "n": "n_samples",
    "ratio": "train_ratio",
    "m": "batch_size",
}

ACTION_BUTTONS = [
    ("forward", "Forward one layer", "→ u, a"),
    ("backward", "Backward one layer", "δ, ∂E/∂W"),
    ("update", "Update", "W ← W − η ∂E/∂W"),
    ("step", "Full step (one sample)", ""),
    ("batch", "One mini-batch", ""),
    ("epoch", "One epoch", ""),
    ("play", "Play / pause", "space"),
    ("reset", "Reset", ""),
    ("gradcheck", "Gradient check", ""),
]


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
    try:
        from nnweb.datasets.services import visible_datasets

        return [
            (f"dataset:{d.pk}", d.name, getattr(d, "task", ""))
            for d in visible_datasets(user).exclude(kind="instance_segmentation")[:100]
        ]
    except Exception:  # noqa: BLE001 - the toys are always offered
        return []


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
        "config_error": error,
        "toys": [(n, p, d) for n, (p, d) in datamod.TOYS.items()],
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
        "experiments": experiments.list_experiments(request.user),
    }


@xframe_options_sameorigin  # lessons embed the guided playground in an <iframe>
def index(request):
    cfg, error = _config_from_query(request, not request.user.is_authenticated)
    return render(request, "frontend/playground/index.html", _context(request, cfg, error))


def classroom(request, token):
    try:
        link = classroom_links.get_classroom_link(token)
    except PlaygroundError:
        raise Http404("no such classroom link") from None
    cfg = cfgmod.validate(link.config, anonymous=True)
    info = {"token": link.token, "title": link.title, "hide": link.hidden_controls}
    return render(request, "frontend/playground/index.html", _context(request, cfg, None, info))


urlpatterns = [
    path("playground/", index, name="playground"),
    path("playground/c/<str:token>/", classroom, name="playground-classroom"),
]
