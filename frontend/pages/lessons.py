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
from nnweb.lessons.questions import all_questions
from nnweb.lessons.selectors import progress_for

# slug -> template name under frontend/lessons/ when it differs from the slug.
LESSON_TEMPLATES = {
    "maximum-likelihood": "ml",
}


# slug -> what a student does on the page (shown in the course index)
LESSON_PANELS = {
    "maximum-likelihood": "move a predicted distribution and read −log p; slide σ in the Gaussian",
    "forward-propagation": "step a small network through u and a, layer by layer",
    "back-propagation": "step the deltas backwards, see every gradient and one SGD update",
    "sgd": "train with m = 1, m = 16 and the full batch side by side; three learning rates",
    "why-cnns": "count dense against conv parameters; shift-then-convolve against the reverse",
    "convolution": "the notes' 5×5 example window by window, kernel presets, 1-D, volumes, "
    "output sizes",
    "activations": "f and f′ of five functions; linear layers collapsing; ReLU and pooling",
    "pooling": "the notes' 4×4 example, max against average, the gradient's route back",
    "fully-connected": "flatten a volume; train a small CNN and look inside it",
    "mask-rcnn": "RoI pooling against RoI Align on 17×17 and 18×18; the mask head",
}


def _progress_row(section, lesson_progress) -> dict:
    """One lesson of the progress map: answered / graded right / questions, completion."""
    questions = all_questions().get(section.slug, {})
    graded = [q for q in questions.values() if q.graded]
    answers = lesson_progress.answers if lesson_progress else {}
    right = sum(1 for q in graded if answers.get(q.id) and answers[q.id].correct)
    return {
        "questions": len(questions),
        "answered": sum(1 for q in questions if q in answers),
        "graded": len(graded),
        "right": right,
        "completed": bool(lesson_progress and lesson_progress.completed),
        "started": bool(answers),
    }


def index(request):
    signed_in = request.user.is_authenticated
    progress = progress_for(request.user) if signed_in else {}
    sections = [
        {
            "section": s,
            "panels": LESSON_PANELS.get(s.slug, ""),
            "progress": _progress_row(s, progress.get(s.slug)) if signed_in else None,
        }
        for s in COURSE
    ]
    return render(
        request, "frontend/lessons/index.html", {"sections": sections, "signed_in": signed_in}
    )


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
    completed, saved_answers = False, {}
    if request.user.is_authenticated:
        mine = progress_for(request.user)[section.slug]
        completed, saved_answers = mine.completed, mine.answers
    context = {
        "section": section,
        "completed": completed,
        "saved_answers": saved_answers,  # filled back into the questions ({% lesson_question %})
        "previous": COURSE[position - 1] if position > 0 else None,
        "next": COURSE[position + 1] if position + 1 < len(COURSE) else None,
    }
    return HttpResponse(tmpl.render(context, request))


app_name = "lessons"

urlpatterns = [
    path("lessons/", index, name="index"),
    path("lessons/<slug:slug>/", lesson, name="lesson"),
]
