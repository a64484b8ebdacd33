"""{% lesson_question "q1" %}: a question of the current lesson, without its answer."""

from django import template
from django.template.loader import render_to_string

from nnweb.lessons.questions import get_question

register = template.Library()


@register.simple_tag(takes_context=True)
def lesson_question(context, question_id: str) -> str:
    q = get_question(context["section"].slug, question_id)
    return render_to_string("frontend/lessons/_question.html", {"q": q})
