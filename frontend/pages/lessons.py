"""Lesson pages (/lessons/ and /lessons/<slug>/), one per section of the lecture notes.

A lesson's template is frontend/lessons/<template>.html (see LESSON_TEMPLATES); a section
without its own template yet shows its outline from frontend/course.py.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import path

from frontend.course import COURSE, SECTIONS_BY_SLUG

# slug -> template name under frontend/lessons/ when it differs from the slug.
LESSON_TEMPLATES = {
    "maximum-likelihood": "ml",
}


def index(request):
    return render(request, "frontend/lessons/index.html", {"sections": COURSE})


def lesson(request, slug: str):
    section = SECTIONS_BY_SLUG.get(slug)
    if section is None:
        raise Http404(f"No lesson called {slug!r}.")
    name = LESSON_TEMPLATES.get(slug, slug)
    try:
        tmpl = select_template([f"frontend/lessons/{name}.html", "frontend/lessons/outline.html"])
    except TemplateDoesNotExist as exc:  # pragma: no cover - outline.html ships with nnweb
        raise Http404(str(exc)) from exc
    position = COURSE.index(section)
    context = {
        "section": section,
        "previous": COURSE[position - 1] if position > 0 else None,
        "next": COURSE[position + 1] if position + 1 < len(COURSE) else None,
    }
    return HttpResponse(tmpl.render(context, request))


app_name = "lessons"

urlpatterns = [
    path("lessons/", index, name="index"),
    path("lessons/<slug:slug>/", lesson, name="lesson"),
]
