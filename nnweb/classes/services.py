"""Writes of the classes app: classes, joining, co-instructors, assignments, submissions.

Every function takes the acting user and checks that they may do it; refusals raise DRF
exceptions (ValidationError naming the field, PermissionDenied, NotFound) so the API's one
exception handler shapes them and the pages show their message.

Who may see what is decided in ``selectors``.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from nnweb.core.permissions import is_instructor
from nnweb.datasets import selectors as datasets
from nnweb.training.models import TrainingRun

from . import goals, live, selectors
from . import playground_api as playground
from .lti import grades
from .models import Assignment, Class, Submission, new_join_code

MAX_CLASSES_PER_INSTRUCTOR = 200
MAX_ASSIGNMENTS_PER_CLASS = 200


def _require_class_instructor(user, klass: Class) -> None:
    if not selectors.is_class_instructor(user, klass):
        raise PermissionDenied("Only the instructors of this class may do this.")


@transaction.atomic
def create_class(user, name: str) -> Class:
    """A new class taught by ``user`` (an instructor), with a fresh join code."""
    if not is_instructor(user):
        raise PermissionDenied("Only instructors may create classes.")
    if Class.objects.filter(created_by=user).count() >= MAX_CLASSES_PER_INSTRUCTOR:
        raise ValidationError(
            {"name": f"you already have {MAX_CLASSES_PER_INSTRUCTOR} classes; delete one first"}
        )
    for _ in range(5):  # a join code collision is unlikely (31^8 codes); retry a few times
        try:
            with transaction.atomic():
                klass = Class.objects.create(name=name, created_by=user, join_code=new_join_code())
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - five collisions in a row
        raise ValidationError({"name": "could not draw a free join code; try again"})
    klass.instructors.add(user)
    return klass


def add_instructor(klass: Class, by, username: str):
    """Make the instructor ``username`` a co-instructor of ``klass``."""
    _require_class_instructor(by, klass)
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ValidationError({"username": f"no user named {username!r}"})
    if not is_instructor(user):
        raise ValidationError(
            {"username": f"{username} is not an instructor; only instructors co-teach a class"}
        )
    klass.instructors.add(user)
    klass.students.remove(user)
    return user


def _require_owner(user, klass: Class) -> None:
    if not selectors.is_class_owner(user, klass):
        raise PermissionDenied("Only the instructor who created this class may do this.")


def remove_instructor(klass: Class, by, instructor_id: int) -> None:
    """Take a co-instructor off ``klass`` (its owner only). The owner stays: a class always has
    the instructor who created it, and deleting the class is how they leave it."""
    _require_owner(by, klass)
    if instructor_id == klass.created_by_id:
        raise ValidationError(
            {"instructor": "the class's owner cannot be removed; delete the class instead"}
        )
    if not klass.instructors.filter(pk=instructor_id).exists():
        raise NotFound("No such co-instructor in this class.")
    klass.instructors.remove(instructor_id)


def deletion_summary(klass: Class) -> dict:
    """What deleting ``klass`` removes, for the confirmation page."""
    return {
        "assignments": klass.assignments.count(),
        "submissions": Submission.objects.filter(assignment__klass=klass).count(),
        "students": klass.students.count(),
        "co_instructors": klass.instructors.exclude(pk=klass.created_by_id).count(),
    }


@transaction.atomic
def delete_class(klass: Class, by) -> None:
    """Delete ``klass`` (its owner only) with its assignments and their submissions. The
    students' own work (lesson answers, playground sessions, training runs) is theirs and is
    kept; the join code stops working."""
    _require_owner(by, klass)
    klass.delete()


def join_class(user, code: str) -> Class:
    """Enrol ``user`` in the class whose join code is ``code`` (case and spaces ignored)."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Sign in to join a class.")
    cleaned = "".join(str(code or "").split()).upper()
    klass = selectors.class_by_join_code(cleaned)
    if klass is None:
        raise ValidationError({"code": f"no class has the join code {cleaned or '(empty)'}"})
    if selectors.is_class_instructor(user, klass):
        raise ValidationError({"code": "you teach this class; instructors do not join as students"})
    klass.students.add(user)
    return klass


def remove_student(klass: Class, by, student_id: int) -> None:
    _require_class_instructor(by, klass)
    if not klass.students.filter(pk=student_id).exists():
        raise NotFound("No such student in this class.")
    klass.students.remove(student_id)


def create_assignment(klass: Class, by, data: dict) -> Assignment:
    """An assignment from ``data`` already validated by AssignmentInputSerializer."""
    _require_class_instructor(by, klass)
    if klass.assignments.count() >= MAX_ASSIGNMENTS_PER_CLASS:
        raise ValidationError({"title": f"a class has at most {MAX_ASSIGNMENTS_PER_CLASS}"})
    kind = data["kind"]
    fields = {"klass": klass, "title": data["title"], "kind": kind, "due": data["due"]}
    if kind == Assignment.Kind.LESSON:
        fields["lesson"] = data["lesson"]
    elif kind == Assignment.Kind.CHALLENGE:
        fields["goal"] = dict(data["goal"])
    else:
        ds = data["dataset"]

        if not datasets.can_manage(by, ds):
            raise ValidationError({"dataset": "choose one of your own data sets"})
        if ds.visibility == ds.Visibility.PRIVATE:
            raise ValidationError(
                {"dataset": f"{ds.name} is private; make it visible to students first"}
            )
        fields["dataset"] = ds
        fields["target_accuracy"] = data["target_accuracy"]
    return Assignment.objects.create(**fields)


def delete_assignment(assignment: Assignment, by) -> None:
    _require_class_instructor(by, assignment.klass)
    assignment.delete()


def _require_student(student, assignment: Assignment) -> None:
    if not assignment.klass.students.filter(pk=student.pk).exists():
        raise PermissionDenied("Only students of this class submit its assignments.")


@transaction.atomic
def _record(assignment: Assignment, student, passed: bool, score: float, detail: dict):
    """Save an attempt. A passed submission stays passed (a later weaker attempt is kept in
    ``detail["last"]`` but does not lower the score)."""
    sub, _ = Submission.objects.select_for_update().get_or_create(
        assignment=assignment, student=student
    )
    sub.attempts += 1
    newly_passed = passed and sub.status != Submission.Status.PASSED
    if sub.status == Submission.Status.PASSED and not passed:
        sub.detail = {**sub.detail, "last": detail}
    else:
        sub.detail = detail
        sub.score = max(sub.score, score) if sub.status == Submission.Status.PASSED else score
    if newly_passed:
        sub.status = Submission.Status.PASSED
        sub.passed_at = timezone.now()
    sub.save()
    if newly_passed:
        transaction.on_commit(lambda: _post_to_lms(sub))
    return sub


def _post_to_lms(sub: Submission) -> None:
    """A student completed an assignment placed in an LMS: post the score to its grade book."""
    grades.post_score(sub.assignment, sub.student, sub.score)


def submit_challenge(student, assignment: Assignment, session_id: str) -> tuple[Submission, dict]:
    """Check the goal on ``student``'s own live playground session ``session_id``."""
    if assignment.kind != Assignment.Kind.CHALLENGE:
        raise ValidationError({"session": "this assignment is not a playground challenge"})
    _require_student(student, assignment)
    try:
        session = playground.get_session(session_id, student)
    except playground.PlaygroundError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied("That playground session is not yours.") from None
        raise ValidationError({"session": exc.message}) from None
    if session.owner_id != student.pk:  # an anonymous session has no owner: not theirs
        raise PermissionDenied("Sign in before opening the playground; that session has no owner.")
    result = goals.check(goals.Goal.from_dict(assignment.goal), session)
    sub = _record(
        assignment, student, result.passed, 1.0 if result.passed else 0.0, result.as_dict()
    )
    return sub, result.as_dict()


def submit_run(student, assignment: Assignment, run_id: int) -> tuple[Submission, dict]:
    """Check ``student``'s training run ``run_id`` against a training assignment."""
    if assignment.kind != Assignment.Kind.TRAINING:
        raise ValidationError({"run": "this assignment is not a training run"})
    _require_student(student, assignment)
    run = TrainingRun.objects.filter(pk=run_id, owner=student).first()
    if run is None:
        raise ValidationError({"run": f"you have no training run {run_id}"})
    reasons = []
    if run.dataset_id != assignment.dataset_id:
        reasons.append(f"run {run.pk} trained on {run.dataset_name}, not {assignment.dataset}")
    if run.status != TrainingRun.Status.SUCCEEDED:
        reasons.append(f"run {run.pk} has not finished successfully (it is {run.status})")
    acc = run.accuracy
    if acc is None or acc < assignment.target_accuracy:
        shown = "none" if acc is None else f"{acc:.1%}"
        reasons.append(
            f"validation accuracy is {shown}, the goal is {assignment.target_accuracy:.0%}"
        )
    passed = not reasons
    detail = {
        "passed": passed,
        "measured": {"run": run.pk, "validation_accuracy": acc, "status": run.status},
        "reasons": reasons,
    }
    sub = _record(assignment, student, passed, 1.0 if passed else 0.0, detail)
    return sub, detail


def send_to_class(klass: Class, by, token: str) -> dict:
    """Push the classroom link ``token`` (its setup and hidden controls) to every student's open
    playground; each page asks its student before replacing their network."""
    _require_class_instructor(by, klass)
    try:
        link = playground.get_classroom_link(token)
    except playground.PlaygroundError:
        raise ValidationError({"link": f"no classroom link {token!r}"}) from None
    if not klass.instructors.filter(pk=link.owner_id).exists():
        raise ValidationError({"link": "send a classroom link of one of this class's instructors"})
    setup = {
        "title": link.title or "Setup from your instructor",
        "url": link.as_dict()["url"],
        "hide": list(link.hidden_controls),
        "config": link.config,
        "class": klass.name,
        "from": by.get_username(),
    }
    async_to_sync(get_channel_layer().group_send)(
        live.students_group(klass.pk), {"type": "classes.setup", "setup": setup}
    )
    return setup
