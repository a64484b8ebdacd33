"""Who may call each playground endpoint: the REST views declare these classes.

Visitors use the playground without signing in, within the anonymous limits (the settings'
serializer checks them, config.limits lists them), and a session is its opener's (``store.get``
checks the owner for the REST views and the websocket alike). Experiments are kept for
signed-in users; classroom links are made by instructors and deleted by their owner; anyone
with a link's token reads it (students may be anonymous).

A refusal is a 403 in the playground's own code (``forbidden``), with a message that says what
to do, for a visitor too (``views.PlaygroundView.permission_denied``).
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from nnweb.core.permissions import IsInstructorOrReadOnly


class SignedInToKeepExperiments(BasePermission):
    """Listing and reading are open (a visitor has no experiments, and one that is not yours
    is a 404: visibility is the query's business); saving and deleting need sign-in."""

    message = "sign in to save experiments"
    code = "forbidden"

    def has_permission(self, request, view) -> bool:
        signed_in = bool(request.user and request.user.is_authenticated)
        return request.method in SAFE_METHODS or signed_in


class InstructorsMakeClassroomLinks(IsInstructorOrReadOnly):
    """Anyone may list their links (a visitor has none); only instructors make one."""

    message = "only instructors make classroom links"
    code = "forbidden"


class OwnerDeletesClassroomLink(BasePermission):
    """Anyone with the token reads a classroom link; only its owner deletes it."""

    message = "not your classroom link"
    code = "forbidden"

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return obj.owner_id is not None and obj.owner_id == getattr(request.user, "pk", None)
