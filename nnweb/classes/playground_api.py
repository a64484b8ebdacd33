"""The playground's public functions that the classes app uses, in one place: a student's
session by id (``store.get`` checks it is theirs), running an action on it, classroom links."""

from __future__ import annotations

from nnweb.playground import actions, classroom, selectors, store
from nnweb.playground.errors import PlaygroundError
from nnweb.playground.session import PlaygroundSession

__all__ = [
    "PlaygroundError",
    "PlaygroundSession",
    "act",
    "create_classroom_link",
    "get_classroom_link",
    "get_session",
    "open_session",
]

get_session = store.get
get_classroom_link = selectors.get_classroom_link
create_classroom_link = classroom.create_classroom_link


def act(session: PlaygroundSession, msg: dict, user=None) -> dict:
    """Run one playground action on ``session`` (as its websocket or REST view would)."""
    return actions.dispatch(session, msg, user).body


def open_session(config: dict, user=None) -> PlaygroundSession:
    """A new open session of ``user`` (what opening the playground page creates)."""
    return store.save(PlaygroundSession.create(config, user=user))
