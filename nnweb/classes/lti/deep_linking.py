"""Deep linking: the instructor picks a lesson or an assignment of the class; nnweb answers the
LMS with a signed LtiDeepLinkingResponse (django-lti / pylti1p3 sign it with the tool's key)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_exempt
from lti_tool.constants import SESSION_KEY
from lti_tool.utils import get_launch_from_request
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.lineitem import LineItem

from frontend.course import COURSE

from ..models import Class
from .launch import context_key, refusal


def _launch(request):
    launch_id = request.session.get(SESSION_KEY)
    if not launch_id:
        return None
    try:
        launch = get_launch_from_request(request, launch_id)
    except LtiException:
        return None
    return launch if launch.is_deep_link_launch else None


@method_decorator(xframe_options_exempt, name="dispatch")
class DeepLinkView(View):
    def get(self, request):
        launch = _launch(request)
        if launch is None:
            return refusal(request, "Start from your LMS: add nnweb content to a course there.")
        klass = Class.objects.filter(lti_context=context_key(launch)).first()
        return render(
            request,
            "frontend/classes/lti_deep_link.html",
            {"klass": klass, "lessons": COURSE, "assignments": klass.assignments.all()},
        )

    def post(self, request) -> HttpResponse:
        launch = _launch(request)
        if launch is None:
            return refusal(request, "This deep linking request has expired; start again.")
        klass = Class.objects.filter(lti_context=context_key(launch)).first()
        launch_url = request.build_absolute_uri("/lti/launch/")
        item = request.POST.get("item", "")
        res = DeepLinkResource().set_url(launch_url)
        if item.startswith("assignment:") and item[11:].isdigit():
            a = klass.assignments.filter(pk=int(item[11:])).first()
            if a is None:
                return refusal(request, f"No assignment {item[11:]} in this class.", 400)
            res.set_title(a.title).set_custom_params({"assignment": str(a.pk)})
            res.set_lineitem(
                LineItem().set_score_maximum(1).set_label(a.title).set_resource_id(f"a{a.pk}")
            )
        elif item.startswith("lesson:") and any(s.slug == item[7:] for s in COURSE):
            slug = item[7:]
            title = next(s.title for s in COURSE if s.slug == slug)
            res.set_title(title).set_custom_params({"lesson": slug})
        else:
            return refusal(request, "Choose a lesson or an assignment.", 400)
        return launch.deep_link_response([res])
