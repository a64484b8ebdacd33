"""Conventions every REST view keeps, checked over the URL configuration itself.

Each DRF view under /api/ states who may call it: ``permission_classes`` on its own class
(or a base class of nnweb's), never APIView's default from settings, which refuses everyone
(``nnweb.core.permissions.DenyAll``) so that a view that forgets is closed, not open. Views that
do not yet would be listed in NOT_YET_EXPLICIT: the list only shrinks (an entry that now passes
fails too).
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from nnweb.core.permissions import DenyAll

# Views still on the settings default, to be given their own permission_classes by their app.
# Empty: every view states its rule. An entry here must be a view that still lacks one.
NOT_YET_EXPLICIT: set[str] = set()


def _walk(patterns, prefix=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, p.callback


def _api_views():
    """(route, view class) of every DRF view routed under /api/."""
    for route, callback in _walk(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if route.lstrip("^").startswith("api/") and cls and issubclass(cls, APIView):
            yield route, cls


def _declares_permissions(cls) -> bool:
    """True when a class between ``cls`` and APIView (not APIView itself) sets them."""
    for klass in cls.__mro__:
        if klass is APIView:
            return False
        if "permission_classes" in vars(klass):
            return True
    return False


def _name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def test_the_walk_finds_the_api():
    names = {_name(cls) for _, cls in _api_views()}
    assert "nnweb.datasets.views.DatasetListView" in names
    assert "nnweb.training.views.RunCancelView" in names
    assert len(names) > 20


def _missing(allowed: set[str]) -> list[str]:
    """Views under /api/ without their own permission_classes and not in ``allowed``."""
    missing = {f"{_name(c)} ({route})" for route, c in _api_views() if not _declares_permissions(c)}
    return sorted(m for m in missing if m.split(" ")[0] not in allowed)


def _stale(allowed: set[str]) -> list[str]:
    """Entries of ``allowed`` that are gone or now declare their permission classes."""
    views = {_name(cls): cls for _, cls in _api_views()}
    return sorted(n for n in allowed if n not in views or _declares_permissions(views[n]))


def test_every_api_view_declares_its_permission_classes():
    missing = _missing(NOT_YET_EXPLICIT)
    assert not missing, "views without their own permission_classes:\n" + "\n".join(missing)


def test_the_allow_list_only_holds_views_that_still_need_it():
    stale = _stale(NOT_YET_EXPLICIT)
    assert not stale, "remove from NOT_YET_EXPLICIT (fixed or gone):\n" + "\n".join(stale)


def test_the_checks_catch_a_stale_entry_and_a_view_that_forgets():
    gone, fixed = "nnweb.gone.views.OldView", "nnweb.datasets.views.DatasetListView"
    assert _stale({gone, fixed}) == sorted([gone, fixed])

    class Forgetful(APIView):
        pass

    assert not _declares_permissions(Forgetful)


class _Forgetful(APIView):
    """A view that states no permission_classes: it gets the settings' default."""

    def get(self, request):
        return Response({"secret": 1})


@pytest.mark.django_db
def test_a_view_without_permission_classes_refuses_everyone(django_user_model):
    assert APIView.permission_classes == [DenyAll]
    view = _Forgetful.as_view()
    anonymous = view(APIRequestFactory().get("/api/forgetful/"))
    assert anonymous.status_code == 403 and "secret" not in anonymous.data
    request = APIRequestFactory().get("/api/forgetful/")
    force_authenticate(request, django_user_model.objects.create_superuser("root", "", "pw"))
    signed_in = view(request)
    assert signed_in.status_code == 403 and "secret" not in signed_in.data
    assert "states no access rule" in str(signed_in.data)
