"""The controls a classroom link may hide, and the actions each one triggers.

A session opened through a link refuses the actions of its hidden controls, and a "configure"
that changes a hidden setting (a name of config.FIELD_NAMES)."""

from __future__ import annotations

from . import config as cfgmod
from .errors import PlaygroundError

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

# "next" counts as the stage it would reveal (see actions.dispatch).
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


def refuse_hidden(hidden: frozenset[str], action: str, fields=()) -> None:
    """Refuse ``action`` (or a change of the settings ``fields``) when ``hidden`` (the
    controls the session's classroom link turned off) contains the control triggering it."""
    if not hidden:
        return
    for control in sorted(hidden):
        if action in CONTROL_ACTIONS.get(control, ()):
            raise PlaygroundError(
                f"{action!r} is not available here: the instructor's classroom link turned "
                f"off the {control!r} control",
                code="forbidden",
                field="action",
            )
    for name in sorted(set(fields) & hidden):
        raise PlaygroundError(
            f"the setting {name!r} cannot be changed here: the instructor's classroom link "
            "turned it off",
            code="forbidden",
            field=f"config.{name}",
        )
