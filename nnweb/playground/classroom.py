"""Classroom links: an instructor's settings and hidden controls behind a token; a session
opened through one refuses what the link hides (controls.py)."""

from __future__ import annotations

from nnweb.core.permissions import is_instructor

from . import config as cfgmod
from . import store
from .controls import HIDEABLE_CONTROLS
from .errors import PlaygroundError
from .models import ClassroomLink
from .selectors import get_classroom_link
from .session import PlaygroundSession

MAX_LINKS_PER_USER = 200


def create_classroom_link(user, raw_config, hide, title="") -> dict:
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
    return store.save(session)
