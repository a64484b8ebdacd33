"""Conventions every REST view keeps, checked over the URL configuration itself.

Each DRF view under /api/ states who may call it: ``permission_classes`` on its own class
(or a base class of nnweb's), never APIView's default from settings. Views that do not yet are
listed in NOT_YET_EXPLICIT, by app: the list only shrinks (an entry that now passes fails too).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

# Views still on the settings default, to be given their own permission_classes by their app.
NOT_YET_EXPLICIT = {
    # classes: the classes app's views
    "nnweb.classes.views.ClassListView",
    # lessons: the course's computation views (open to every reader)
    "nnweb.lessons.views.activations.ActivationView",
    "nnweb.lessons.views.activations.LinearCollapseView",
    "nnweb.lessons.views.activations.ReluPoolView",
    "nnweb.lessons.views.answers.CheckAnswerView",
    "nnweb.lessons.views.answers.RevealView",
    "nnweb.lessons.views.convolution.Conv1dView",
    "nnweb.lessons.views.convolution.Conv2dView",
    "nnweb.lessons.views.convolution.ConvImageView",
    "nnweb.lessons.views.convolution.ConvVolumeView",
    "nnweb.lessons.views.convolution.OutputSizeView",
    "nnweb.lessons.views.fully_connected.CnnTrainView",
    "nnweb.lessons.views.mask_rcnn.InspectView",
    "nnweb.lessons.views.mask_rcnn.MaskHeadView",
    "nnweb.lessons.views.mask_rcnn.RoiView",
    "nnweb.lessons.views.maximum_likelihood.GaussianNllView",
    "nnweb.lessons.views.maximum_likelihood.MleVarianceView",
    "nnweb.lessons.views.maximum_likelihood.NllView",
    "nnweb.lessons.views.pooling.PoolShiftView",
    "nnweb.lessons.views.pooling.PoolView",
    "nnweb.lessons.views.propagation.BackpropGraphView",
    "nnweb.lessons.views.propagation.NetworkTraceView",
    "nnweb.lessons.views.sgd.LrCompareView",
    "nnweb.lessons.views.sgd.SgdCompareView",
    "nnweb.lessons.views.why_cnns.EquivarianceView",
    "nnweb.lessons.views.why_cnns.ParamCountView",
    "nnweb.lessons.views.index.LessonIndexView",
    # playground: sessions, experiments, classroom links
    "nnweb.playground.views.ActionView",
    "nnweb.playground.views.ClassroomLinkListView",
    "nnweb.playground.views.ClassroomLinkView",
    "nnweb.playground.views.ExperimentListView",
    "nnweb.playground.views.ExperimentView",
    "nnweb.playground.views.OptionsView",
    "nnweb.playground.views.SessionListView",
    "nnweb.playground.views.SessionView",
}


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


def test_every_api_view_declares_its_permission_classes():
    missing = sorted(
        {f"{_name(cls)} ({route})" for route, cls in _api_views() if not _declares_permissions(cls)}
    )
    missing = [m for m in missing if m.split(" ")[0] not in NOT_YET_EXPLICIT]
    assert not missing, "views without their own permission_classes:\n" + "\n".join(missing)


def test_the_allow_list_only_holds_views_that_still_need_it():
    views = {_name(cls): cls for _, cls in _api_views()}
    stale = sorted(n for n in NOT_YET_EXPLICIT if n not in views or _declares_permissions(views[n]))
    assert not stale, "remove from NOT_YET_EXPLICIT (fixed or gone):\n" + "\n".join(stale)
