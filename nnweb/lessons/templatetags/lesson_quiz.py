"""{% lesson_question "q1" %}: a question of the current lesson, without its answer.

For a signed-in student the lesson view puts their saved answers in the context
(``saved_answers``: question id -> LessonAnswer); the question is then rendered with that
answer filled in and whether it was right, so reopening a lesson shows where they left off.
"""

from django import template
from django.template.loader import render_to_string

from nnweb.lessons.questions import get_question

register = template.Library()


@register.simple_tag(takes_context=True)
def lesson_question(context, question_id: str) -> str:
    q = get_question(context["section"].slug, question_id)
    saved = (context.get("saved_answers") or {}).get(q.id)
    given = saved.answer if saved is not None and isinstance(saved.answer, str) else None
    if given is not None and q.choices and given not in {v for v, _label in q.choices}:
        given = None  # an option that no longer exists: show the question fresh
    return render_to_string(
        "frontend/lessons/_question.html",
        {"q": q, "saved": saved if given is not None else None, "given": given},
    )
