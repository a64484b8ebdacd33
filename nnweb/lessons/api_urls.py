"""REST API of the lessons app, mounted at /api/lessons/.

Every endpoint is ``POST /api/lessons/<name>/`` with a JSON object of named arguments, all
optional (the defaults are the notes' worked examples, so ``{}`` answers the lesson's default
result); bad input is a 400 naming the field. The views and their serializers live in
``views/<lesson>.py``, the computations in ``panels/<lesson>.py``. ``GET /api/lessons/`` lists
every endpoint with its arguments and defaults (``views/index.py``).
"""

from __future__ import annotations

from django.urls import path

from .views.answers import CheckAnswerView, CompleteView, ProgressView, RevealView
from .views.index import ENDPOINTS, LessonIndexView

app_name = "lessons-api"

urlpatterns = [
    path("", LessonIndexView.as_view(), name="index"),
    path("check/", CheckAnswerView.as_view(), name="check"),
    path("reveal/", RevealView.as_view(), name="reveal"),
    path("complete/", CompleteView.as_view(), name="complete"),
    path("progress/", ProgressView.as_view(), name="progress"),
    *[path(f"{name}/", view.as_view(), name=name) for name, view in ENDPOINTS.items()],
]
