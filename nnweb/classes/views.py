"""REST views of the classes app: parse and authorise, then call services / selectors."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.text import slugify
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nnweb.core.serializers import ErrorResponseSerializer

from . import export, live, selectors, services
from .permissions import (
    InstructorsCreateClasses,
    IsClassInstructor,
    IsClassMember,
    IsClassOwner,
    IsClassStudent,
    SignedIn,
)
from .serializers import (
    AssignmentInputSerializer,
    AssignmentSerializer,
    CheckResultSerializer,
    ClassInputSerializer,
    ClassSerializer,
    GradebookSerializer,
    InstructorInputSerializer,
    JoinSerializer,
    LiveSnapshotSerializer,
    LiveTilesSerializer,
    MyResultSerializer,
    QuestionStatSerializer,
    SendSerializer,
    SetupSerializer,
    SubmissionSerializer,
    SubmitSerializer,
    UserBriefSerializer,
)


class ClassScopedView(APIView):
    """A view under /api/classes/<class_pk>/: the class is fetched for the user (404 unless
    they teach or attend it), then checked against ``class_permissions``."""

    permission_classes = [SignedIn]
    class_permissions: list = [IsClassMember]

    def get_class(self, request: Request, class_pk: int):
        klass = selectors.class_for(request.user, class_pk)
        for perm in self.class_permissions:
            if not perm().has_object_permission(request, self, klass):
                self.permission_denied(request, message=perm.message)
        return klass


class ClassListView(APIView):
    """GET: the classes I teach or attend. POST (instructors): create a class."""

    permission_classes = [SignedIn, InstructorsCreateClasses]

    @extend_schema(responses=ClassSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs = selectors.classes_for(request.user).prefetch_related("instructors")
        return Response(ClassSerializer(qs, many=True, context={"request": request}).data)

    @extend_schema(request=ClassInputSerializer, responses={201: ClassSerializer})
    def post(self, request: Request) -> Response:
        form = ClassInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        klass = services.create_class(request.user, form.validated_data["name"])
        return Response(
            ClassSerializer(klass, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class JoinView(APIView):
    """POST {"code": ...}: join the class with that join code."""

    permission_classes = [SignedIn]

    @extend_schema(request=JoinSerializer, responses=ClassSerializer)
    def post(self, request: Request) -> Response:
        form = JoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        klass = services.join_class(request.user, form.validated_data["code"])
        return Response(ClassSerializer(klass, context={"request": request}).data)


class ClassDetailView(ClassScopedView):
    """GET: the class (members). DELETE: delete it with its assignments and submissions (the
    instructor who created it)."""

    @extend_schema(responses=ClassSerializer)
    def get(self, request: Request, class_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        return Response(ClassSerializer(klass, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, class_pk: int) -> Response:
        self.class_permissions = [IsClassOwner]
        klass = self.get_class(request, class_pk)
        services.delete_class(klass, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InstructorsView(ClassScopedView):
    """POST {"username": ...}: add a co-instructor (instructors of the class)."""

    class_permissions = [IsClassInstructor]

    @extend_schema(request=InstructorInputSerializer, responses=UserBriefSerializer(many=True))
    def post(self, request: Request, class_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        form = InstructorInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.add_instructor(klass, request.user, form.validated_data["username"])
        return Response(UserBriefSerializer(klass.instructors.all(), many=True).data)


class InstructorDetailView(ClassScopedView):
    """DELETE: take a co-instructor off the class (the instructor who created it)."""

    class_permissions = [IsClassOwner]

    @extend_schema(responses={204: None, 400: ErrorResponseSerializer})
    def delete(self, request: Request, class_pk: int, user_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        services.remove_instructor(klass, request.user, user_pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StudentsView(ClassScopedView):
    """GET: the roster (instructors of the class)."""

    class_permissions = [IsClassInstructor]

    @extend_schema(responses=UserBriefSerializer(many=True))
    def get(self, request: Request, class_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        return Response(UserBriefSerializer(klass.students.order_by("username"), many=True).data)


class StudentDetailView(ClassScopedView):
    """GET: one student's results. DELETE: remove the student from the class."""

    class_permissions = [IsClassInstructor]

    @extend_schema(operation_id="classes_student_results", responses=MyResultSerializer(many=True))
    def get(self, request: Request, class_pk: int, student_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        student = selectors.student_of(klass, student_pk)
        rows = selectors.my_results(klass, student)
        return Response(_results(rows))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, class_pk: int, student_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        services.remove_student(klass, request.user, student_pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _results(rows) -> list:
    return MyResultSerializer(
        [{"assignment": a, "result": c.as_dict()} for a, c in rows], many=True
    ).data


class MyResultsView(ClassScopedView):
    """GET: my own result on every assignment (students of the class)."""

    class_permissions = [IsClassStudent]

    @extend_schema(responses=MyResultSerializer(many=True))
    def get(self, request: Request, class_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        return Response(_results(selectors.my_results(klass, request.user)))


class AssignmentListView(ClassScopedView):
    """GET: the class's assignments (members). POST: create one (instructors of the class)."""

    @extend_schema(responses=AssignmentSerializer(many=True))
    def get(self, request: Request, class_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        return Response(AssignmentSerializer(klass.assignments.all(), many=True).data)

    @extend_schema(request=AssignmentInputSerializer, responses={201: AssignmentSerializer})
    def post(self, request: Request, class_pk: int) -> Response:
        self.class_permissions = [IsClassInstructor]
        klass = self.get_class(request, class_pk)
        form = AssignmentInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        a = services.create_assignment(klass, request.user, form.validated_data)
        return Response(AssignmentSerializer(a).data, status=status.HTTP_201_CREATED)


class AssignmentDetailView(ClassScopedView):
    @extend_schema(responses=AssignmentSerializer)
    def get(self, request: Request, class_pk: int, pk: int) -> Response:
        self.get_class(request, class_pk)
        return Response(
            AssignmentSerializer(selectors.assignment_for(request.user, class_pk, pk)).data
        )

    @extend_schema(responses={204: None})
    def delete(self, request: Request, class_pk: int, pk: int) -> Response:
        self.class_permissions = [IsClassInstructor]
        self.get_class(request, class_pk)
        services.delete_assignment(
            selectors.assignment_for(request.user, class_pk, pk), request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubmitView(ClassScopedView):
    """POST {"session": id} (challenge) or {"run": id} (training): the server checks the
    student's own session or run; no measured value is taken from the request."""

    class_permissions = [IsClassStudent]

    @extend_schema(request=SubmitSerializer, responses=CheckResultSerializer)
    def post(self, request: Request, class_pk: int, pk: int) -> Response:
        self.get_class(request, class_pk)
        a = selectors.assignment_for(request.user, class_pk, pk)
        form = SubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data.get("session"):
            sub, result = services.submit_challenge(request.user, a, data["session"])
        else:
            sub, result = services.submit_run(request.user, a, data["run"])
        return Response({**result, "submission": SubmissionSerializer(sub).data})


class QuestionStatsView(ClassScopedView):
    """GET: per-question statistics of a lesson assignment (instructors of the class)."""

    class_permissions = [IsClassInstructor]

    @extend_schema(responses=QuestionStatSerializer(many=True))
    def get(self, request: Request, class_pk: int, pk: int) -> Response:
        self.get_class(request, class_pk)
        a = selectors.assignment_for(request.user, class_pk, pk)
        return Response(QuestionStatSerializer(selectors.question_stats(a), many=True).data)


class GradebookView(ClassScopedView):
    """GET: roster x assignments with status and score (instructors of the class)."""

    class_permissions = [IsClassInstructor]

    @extend_schema(responses=GradebookSerializer)
    def get(self, request: Request, class_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        book = selectors.gradebook(klass)
        rows = [{**r, "cells": [c.as_dict() for c in r["cells"]]} for r in book["rows"]]
        return Response(
            GradebookSerializer({"assignments": book["assignments"], "rows": rows}).data
        )


class GradebookCsvView(ClassScopedView):
    """GET: the grade book as a CSV download (instructors of the class)."""

    class_permissions = [IsClassInstructor]

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(description="grade book CSV")})
    def get(self, request: Request, class_pk: int) -> HttpResponse:
        klass = self.get_class(request, class_pk)
        return csv_response(klass)


def csv_response(klass) -> HttpResponse:
    resp = HttpResponse(export.gradebook_csv(klass), content_type="text/csv; charset=utf-8")
    name = slugify(klass.name) or f"class-{klass.pk}"
    resp["Content-Disposition"] = f'attachment; filename="{name}-grades.csv"'
    return resp


class LiveTilesView(ClassScopedView):
    """GET: every student's latest tile (what the live view starts from)."""

    class_permissions = [IsClassInstructor]

    @extend_schema(responses=LiveTilesSerializer)
    def get(self, request: Request, class_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        ids = klass.students.values_list("pk", flat=True)
        return Response({"tiles": list(live.latest_tiles(ids).values())})


class LiveSnapshotView(ClassScopedView):
    """GET: a read-only snapshot of one student's live playground session."""

    class_permissions = [IsClassInstructor]

    @extend_schema(operation_id="classes_live_snapshot", responses=LiveSnapshotSerializer)
    def get(self, request: Request, class_pk: int, student_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        student = selectors.student_of(klass, student_pk)
        return Response(selectors.live_snapshot(klass, student))


class SendToClassView(ClassScopedView):
    """POST {"link": token}: push a classroom link's setup to every student's open playground."""

    class_permissions = [IsClassInstructor]

    @extend_schema(request=SendSerializer, responses=SetupSerializer)
    def post(self, request: Request, class_pk: int) -> Response:
        klass = self.get_class(request, class_pk)
        form = SendSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        setup = services.send_to_class(klass, request.user, form.validated_data["link"])
        return Response(SetupSerializer(setup).data)
