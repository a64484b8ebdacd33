"""Class pages (/classes/...): my classes (create / join), the join link, a class's page (for
its instructors: join code, co-instructors, new assignments, the grade book grid, CSV export;
for its students: their assignments and results, "check my playground"), an assignment's
per-question statistics, the live lab view and a student's live snapshot.

Server-rendered and complete without JavaScript (the live view needs it); every read goes
through nnweb.classes.selectors and every write through nnweb.classes.services, so the pages
enforce exactly what the API enforces.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework import exceptions as drf

from nnweb.classes import goals, live, selectors, services
from nnweb.classes.models import Assignment
from nnweb.classes.serializers import (
    LESSON_CHOICES,
    AssignmentInputSerializer,
    AssignmentSerializer,
    ClassInputSerializer,
    InstructorInputSerializer,
    JoinSerializer,
)
from nnweb.classes.views import csv_response
from nnweb.core.permissions import is_instructor
from nnweb.playground import data as playground_data

from .forms import field_errors


def _message(exc: drf.APIException) -> str:
    """One line from a DRF error: 'field: message' for a validation error."""
    detail = exc.detail
    while isinstance(detail, dict | list) and detail:
        if isinstance(detail, dict):
            key, detail = next(iter(detail.items()))
            if isinstance(detail, list) and detail and not isinstance(detail[0], dict | list):
                return f"{key}: {detail[0]}" if key != "non_field_errors" else str(detail[0])
            if not isinstance(detail, dict | list):
                return f"{key}: {detail}"
        else:
            detail = detail[0]
    return str(detail)


def class_page(view):
    """Signed-in users only; the selectors' 404/403 become the site's 404/403 pages."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except drf.NotFound as exc:
            raise Http404(str(exc.detail)) from None
        except drf.PermissionDenied as exc:
            raise PermissionDenied(str(exc.detail)) from None

    return wrapper


def _require_instructor_of(request, klass) -> None:
    if not selectors.is_class_instructor(request.user, klass):
        raise PermissionDenied("Only the instructors of this class may see this page.")


@require_http_methods(["GET", "POST"])
@class_page
def index(request):
    status = 200
    errors: dict[str, str] = {}
    if request.method == "POST":
        creating = request.POST.get("action") == "create"
        # the API's validators (POST /api/classes/ and /api/classes/join/), then its services
        form = (ClassInputSerializer if creating else JoinSerializer)(data=request.POST)
        try:
            if not form.is_valid():
                errors = field_errors(form.errors)
            elif creating:
                klass = services.create_class(request.user, form.validated_data["name"])
                messages.success(request, f"Created “{klass.name}”. Its join code is "
                                 f"{klass.join_code}.")  # fmt: skip
                return redirect("classes:detail", klass.pk)
            else:
                klass = services.join_class(request.user, form.validated_data["code"])
                messages.success(request, f"You joined “{klass.name}”.")
                return redirect("classes:detail", klass.pk)
        except drf.ValidationError as exc:
            messages.error(request, _message(exc))
        status = 400
    classes = selectors.classes_for(request.user).prefetch_related("instructors")
    rows = [
        {"klass": k, "teaches": selectors.is_class_instructor(request.user, k)} for k in classes
    ]
    return render(
        request,
        "frontend/classes/index.html",
        {"rows": rows, "can_create": is_instructor(request.user), "errors": errors},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@class_page
def join_link(request, code):
    klass = selectors.class_by_join_code(code)
    if klass is None:
        raise Http404("This join link is not valid (the class may have been deleted).")
    if request.method == "POST":
        try:
            services.join_class(request.user, code)
        except drf.ValidationError as exc:
            messages.error(request, _message(exc))
            return redirect("classes:index")
        messages.success(request, f"You joined “{klass.name}”.")
        return redirect("classes:detail", klass.pk)
    return render(request, "frontend/classes/join.html", {"klass": klass})


def _goal_from_post(post) -> dict:
    keys = ("measure", "dataset", "max_test_loss", "max_hidden_neurons", "hidden_layers")
    goal = {k: post.get(f"goal_{k}") for k in keys if post.get(f"goal_{k}", "").strip() != ""}
    pct = post.get("goal_min_test_accuracy", "").strip()
    if pct:
        try:
            goal["min_test_accuracy"] = float(pct) / 100.0
        except ValueError:
            goal["min_test_accuracy"] = pct  # the serializer names the field
    return goal


def _assignment_input(post) -> dict:
    data = {k: post.get(k) for k in ("title", "kind", "due") if post.get(k)}
    kind = data.get("kind")
    if kind == Assignment.Kind.LESSON:
        data["lesson"] = post.get("lesson")
    elif kind == Assignment.Kind.CHALLENGE:
        data["goal"] = _goal_from_post(post)
    elif kind == Assignment.Kind.TRAINING:
        data["dataset"] = post.get("dataset") or None
        pct = post.get("target_accuracy", "").strip()
        data["target_accuracy"] = float(pct) / 100.0 if _is_number(pct) else pct or None
    return data


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


@require_http_methods(["GET", "POST"])
@class_page
def detail(request, pk):
    klass = selectors.class_for(request.user, pk)
    if not selectors.is_class_instructor(request.user, klass):
        return _student_page(request, klass)
    status = 200
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "instructor":
                form = InstructorInputSerializer(data=request.POST)  # the API's validator
                if not form.is_valid():
                    errors = field_errors(form.errors)
                    raise drf.ValidationError(form.errors)
                user = services.add_instructor(klass, request.user, form.validated_data["username"])
                messages.success(request, f"{user.get_username()} now co-teaches this class.")
            elif action == "remove_instructor":
                uid = request.POST.get("user", "")
                if not uid.isdigit():
                    raise drf.ValidationError({"user": "choose a co-instructor to remove"})
                services.remove_instructor(klass, request.user, int(uid))
                messages.success(request, "Co-instructor removed.")
            elif action == "assignment":
                form = AssignmentInputSerializer(data=_assignment_input(request.POST))
                form.is_valid(raise_exception=True)
                a = services.create_assignment(klass, request.user, form.validated_data)
                messages.success(request, f"Added the assignment “{a.title}”.")
            return redirect("classes:detail", klass.pk)
        except drf.ValidationError as exc:
            if not errors:  # the service's refusal (inline errors are shown at their field)
                messages.error(request, _message(exc))
            status = 400
    book = selectors.gradebook(klass)
    columns = [(a, _goal_text(a)) for a in book["assignments"]]
    return render(
        request,
        "frontend/classes/instructor.html",
        {
            "klass": klass,
            "columns": columns,
            "rows": book["rows"],
            "join_url": request.build_absolute_uri(reverse("classes:join", args=[klass.join_code])),
            "lessons": LESSON_CHOICES,
            "toys": sorted(playground_data.TOYS.items()),
            "measures": goals.MEASURES,
            "datasets": selectors.assignment_datasets(request.user),
            "kinds": Assignment.Kind.choices,
            "form": request.POST if status == 400 else {},
            "errors": errors,
            "score_rule": selectors.LESSON_SCORE_RULE,
            "owns": selectors.is_class_owner(request.user, klass),
            "co_instructors": klass.instructors.exclude(pk=klass.created_by_id).order_by(
                "username"
            ),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@class_page
def delete(request, pk):
    """Confirm, then delete the class (its owner only)."""
    klass = selectors.class_for(request.user, pk)
    if not selectors.is_class_owner(request.user, klass):
        raise PermissionDenied("Only the instructor who created this class may delete it.")
    if request.method == "POST":
        name = klass.name
        services.delete_class(klass, request.user)
        messages.success(request, f"Deleted the class “{name}”.")
        return redirect("classes:index")
    return render(
        request,
        "frontend/classes/delete.html",
        {"klass": klass, "summary": services.deletion_summary(klass)},
    )


def _goal_text(a: Assignment) -> str:
    return AssignmentSerializer().get_goal_text(a)


def _student_page(request, klass):
    results = [
        {
            "assignment": a,
            "goal": _goal_text(a),
            "result": c,
            "runs": selectors.assignment_runs(request.user, a),
        }
        for a, c in selectors.my_results(klass, request.user)
    ]
    return render(
        request,
        "frontend/classes/student.html",
        {
            "klass": klass,
            "results": results,
            "has_session": live.latest_session_id(request.user) is not None,
            "score_rule": selectors.LESSON_SCORE_RULE,
        },
    )


@require_POST
@class_page
def check(request, pk, aid):
    """A student asks the server to check a challenge (on their open playground) or a run."""
    a = selectors.assignment_for(request.user, pk, aid)
    try:
        if a.kind == Assignment.Kind.CHALLENGE:
            sid = live.latest_session_id(request.user)
            if sid is None:
                raise drf.ValidationError(
                    {"session": "open the playground (signed in) first; then check again"}
                )
            sub, result = services.submit_challenge(request.user, a, sid)
        elif a.kind == Assignment.Kind.TRAINING:
            run = request.POST.get("run", "")
            if not run.isdigit():
                raise drf.ValidationError({"run": "choose one of your training runs"})
            sub, result = services.submit_run(request.user, a, int(run))
        else:
            raise drf.ValidationError({"assignment": "lessons are scored from your answers"})
    except drf.ValidationError as exc:
        messages.error(request, _message(exc))
        return redirect("classes:detail", pk)
    if result["passed"]:
        messages.success(request, f"“{a.title}”: goal met. Well done.")
    else:
        messages.warning(request, f"“{a.title}”: not yet — " + "; ".join(result["reasons"]))
    return redirect("classes:detail", pk)


@class_page
def assignment(request, pk, aid):
    a = selectors.assignment_for(request.user, pk, aid)
    _require_instructor_of(request, a.klass)
    students = list(a.klass.students.order_by("username"))
    cells = selectors.cells_for(a, students)
    return render(
        request,
        "frontend/classes/assignment.html",
        {
            "klass": a.klass,
            "a": a,
            "goal": _goal_text(a),
            "stats": selectors.question_stats(a),
            "rows": [(s, cells[s.pk]) for s in students],
            "score_rule": selectors.LESSON_SCORE_RULE,
        },
    )


@class_page
def gradebook_csv(request, pk):
    klass = selectors.class_for(request.user, pk)
    _require_instructor_of(request, klass)
    return csv_response(klass)


@class_page
def live_view(request, pk):
    klass = selectors.class_for(request.user, pk)
    _require_instructor_of(request, klass)
    links = selectors.classroom_links_of(klass)
    return render(
        request,
        "frontend/classes/live.html",
        {
            "klass": klass,
            "students": klass.students.order_by("username"),
            "links": links,
        },
    )


@class_page
def snapshot(request, pk, sid):
    klass = selectors.class_for(request.user, pk)
    _require_instructor_of(request, klass)
    student = selectors.student_of(klass, sid)
    snap = selectors.live_snapshot(klass, student)
    config_rows = sorted((snap.get("config") or {}).items())
    return render(
        request,
        "frontend/classes/snapshot.html",
        {"klass": klass, "student": student, "snap": snap, "config_rows": config_rows},
    )


app_name = "classes"

urlpatterns = [
    path("classes/", index, name="index"),
    path("classes/join/<str:code>/", join_link, name="join"),
    path("classes/<int:pk>/", detail, name="detail"),
    path("classes/<int:pk>/delete/", delete, name="delete"),
    path("classes/<int:pk>/gradebook.csv", gradebook_csv, name="gradebook-csv"),
    path("classes/<int:pk>/live/", live_view, name="live"),
    path("classes/<int:pk>/live/<int:sid>/", snapshot, name="snapshot"),
    path("classes/<int:pk>/assignments/<int:aid>/", assignment, name="assignment"),
    path("classes/<int:pk>/assignments/<int:aid>/check/", check, name="check"),
]
