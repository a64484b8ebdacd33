"""Assignment and Grade Services: a student's score goes to the LMS grade book once they
complete an assignment that was placed in the LMS (it carries a line item URL)."""

from __future__ import annotations

import logging

from django.utils import timezone
from lti_tool.models import LtiRegistration, LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

logger = logging.getLogger(__name__)

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


def post_score(assignment, student, score: float) -> bool:
    """Post ``score`` (0..1) of ``student`` to the assignment's LMS line item; False when the
    assignment did not come from an LMS or the student has no LMS identity there."""
    klass = assignment.klass
    if not assignment.lti_lineitem or ":" not in klass.lti_context:
        return False
    reg_uuid = klass.lti_context.split(":", 1)[0]
    reg = LtiRegistration.objects.filter(uuid=reg_uuid, is_active=True).first()
    lti_user = LtiUser.objects.filter(registration=reg, auth_user=student).first()
    if reg is None or lti_user is None:
        return False
    ags = AssignmentsGradesService(
        ServiceConnector(reg.to_registration()),
        {"scope": SCOPES, "lineitem": assignment.lti_lineitem},
    )
    grade = (
        Grade()
        .set_score_given(float(score))
        .set_score_maximum(1.0)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(timezone.now().isoformat())
        .set_user_id(lti_user.sub)
    )
    try:
        ags.put_grade(grade)
    except (LtiException, OSError) as exc:  # the LMS is down: the score stays in nnweb
        logger.warning("LTI score for %s on %s not posted: %s", student, assignment, exc)
        return False
    return True
