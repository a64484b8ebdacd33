"""The launch: who the LMS says the user is, mapped onto nnweb users, classes and roles.

Instructor (or Administrator) in the LMS course -> instructor of the class standing for that
course (created on their first launch); Learner -> student of that class. A launch that fails
verification (signature, expiry, nonce, issuer, deployment) is refused with its reason and,
being one transaction, leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import time

from django.contrib.auth import get_user_model, login
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.clickjacking import xframe_options_exempt
from lti_tool.views import LtiLaunchBaseView
from pylti1p3.exception import LtiException

from nnweb.accounts.services import make_instructor
from nnweb.core.permissions import STUDENT_GROUP, get_group, is_instructor

from ..models import Assignment, Class

AGS_LINEITEM = "lineitem"
NONCE_PREFIX = "nnweb:lti:used-nonce:"


class Refused(Exception):
    """A launch nnweb will not accept; the message is shown to the user."""


def refusal(request, message: str, status: int = 403) -> HttpResponse:
    return render(request, "frontend/classes/lti_refused.html", {"message": message}, status=status)


def context_key(lti_launch) -> str:
    """The Class.lti_context of the launch's LMS course: registration uuid + context id."""
    return f"{lti_launch.registration.uuid}:{lti_launch.context.id_on_platform}"


def _user_for(lti_user):
    """The nnweb user of an LMS user (created on their first launch, no usable password)."""
    if lti_user.auth_user_id:
        return lti_user.auth_user
    digest = hashlib.sha256(f"{lti_user.registration.issuer}|{lti_user.sub}".encode()).hexdigest()
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=f"lti-{digest[:20]}",
        defaults={"first_name": lti_user.given_name[:150], "email": lti_user.email},
    )
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(get_group(STUDENT_GROUP))
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user"])
    return user


def enrol(lti_launch):
    """(user, class, role) for a launch, creating what is missing."""
    if not lti_launch.context_claim:
        raise Refused("This launch names no course; open nnweb from a course of your LMS.")
    user = _user_for(lti_launch.user)
    membership = lti_launch.membership
    key = context_key(lti_launch)
    klass = Class.objects.filter(lti_context=key).first()
    if membership.is_instructor or membership.is_administrator:
        if not is_instructor(user):
            make_instructor(user)
        if klass is None:
            ctx = lti_launch.context
            klass = Class.objects.create(
                name=(ctx.title or ctx.label or "LMS course")[:120],
                created_by=user,
                lti_context=key,
            )
        klass.instructors.add(user)
        return user, klass, "instructor"
    if membership.is_learner:
        if klass is None:
            raise Refused(
                "Your instructor has not opened nnweb from this course yet; ask them to, then "
                "launch it again."
            )
        if not klass.instructors.filter(pk=user.pk).exists():
            klass.students.add(user)
        return user, klass, "student"
    raise Refused("nnweb needs the Instructor or Learner role in this course.")


@method_decorator(xframe_options_exempt, name="dispatch")
class LaunchView(LtiLaunchBaseView):
    """POST /lti/launch/: resource link and deep linking launches."""

    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                return super().post(request, *args, **kwargs)
        except LtiException as exc:
            return refusal(request, f"This LTI launch was refused: {exc}", status=400)
        except Refused as exc:
            return refusal(request, str(exc))

    def launch_setup(self, request, lti_launch) -> None:
        """Refuse a replayed id_token. pylti1p3 checks that the nonce is one the tool issued,
        but not that it is used once: a used nonce is remembered here until its token expires."""
        data = lti_launch.get_launch_data()
        ttl = max(60, int(data.get("exp", 0) - time.time()) + 60)
        if not cache.add(f"{NONCE_PREFIX}{data.get('iss')}:{data.get('nonce')}", 1, timeout=ttl):
            raise Refused(
                "This launch was already used (replayed nonce); start again from your LMS."
            )

    def handle_inactive_deployment(self, request, lti_launch):
        dep = lti_launch.deployment
        raise Refused(
            f"The deployment {dep.deployment_id!r} of {lti_launch.registration.issuer} is not "
            "registered in nnweb; an administrator activates it in the admin "
            "(LTI deployments)."
        )

    def handle_resource_launch(self, request, lti_launch):
        user, klass, role = enrol(lti_launch)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        target = reverse("classes:detail", args=[klass.pk])
        assignment_id = lti_launch.get_custom_claim("assignment")
        lesson = lti_launch.get_custom_claim("lesson")
        if assignment_id and str(assignment_id).isdigit():
            a = klass.assignments.filter(pk=int(assignment_id)).first()
            lineitem = (lti_launch.ags_claim or {}).get(AGS_LINEITEM)
            if a is not None and lineitem and a.lti_lineitem != lineitem:
                a.lti_lineitem = lineitem
                a.save(update_fields=["lti_lineitem"])
            if a is not None and a.kind == Assignment.Kind.LESSON:
                target = f"/lessons/{a.lesson}/"
        elif lesson:
            target = f"/lessons/{lesson}/"
        return HttpResponseRedirect(target)

    def handle_deep_linking_launch(self, request, lti_launch):
        user, klass, role = enrol(lti_launch)
        if role != "instructor":
            raise Refused("Only instructors place nnweb content in a course.")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return HttpResponseRedirect(reverse("lti:deep-link"))
