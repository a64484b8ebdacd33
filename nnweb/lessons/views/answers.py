"""Answer checking and progress: the server grades, reveals and (for signed-in students) saves.

    POST /api/lessons/check/     {lesson, question, answer} -> {correct, saved, reveal?}
    POST /api/lessons/reveal/    {lesson, question}         -> {reveal, accepted}
    POST /api/lessons/complete/  {lesson}                   -> {lesson, completed_at}  (signed in)
    GET  /api/lessons/progress/                             -> every lesson's answers and completion

``correct`` is null for predictions (recorded, not graded). A graded question's reveal comes
back with a right answer; otherwise only when asked for (/reveal/). Anonymous students are
graded too; only signed-in students' answers are saved.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nnweb.core.serializers import ErrorResponseSerializer

from .. import selectors, services
from ..questions import KINDS, get_question, grade, reveal_segments
from .base import LessonSerializer, field_error


class QuestionRefSerializer(LessonSerializer):
    lesson = serializers.SlugField(max_length=64)
    question = serializers.SlugField(max_length=64)

    def validate(self, attrs):
        try:
            attrs["q"] = get_question(attrs["lesson"], attrs["question"])
        except ValueError as exc:
            raise field_error(exc) from exc
        return attrs


class CheckSerializer(QuestionRefSerializer):
    answer = serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=False)


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string"},
        "minItems": 2,
        "maxItems": 2,
        "description": "[kind, text]: kind 'text' (plain text) or 'math' (TeX, for KaTeX)",
    }
)
class SegmentField(serializers.JSONField):
    """One piece of an explanation (questions.reveal_segments): never HTML."""


def segments(**kw) -> serializers.ListField:
    return serializers.ListField(child=SegmentField(), **kw)


class SavedAttemptSerializer(serializers.Serializer):
    attempts = serializers.IntegerField(min_value=1)
    first_attempt_correct = serializers.BooleanField(allow_null=True)


class AnswerCheckSerializer(serializers.Serializer):
    """A graded answer; ``reveal`` comes with a right answer, or with every prediction."""

    lesson = serializers.SlugField()
    question = serializers.SlugField()
    kind = serializers.ChoiceField(choices=list(KINDS))
    correct = serializers.BooleanField(allow_null=True, help_text="null for a prediction")
    saved = SavedAttemptSerializer(allow_null=True, help_text="null unless signed in")
    reveal = segments(required=False)


class AnswerRevealSerializer(serializers.Serializer):
    lesson = serializers.SlugField()
    question = serializers.SlugField()
    reveal = segments()
    accepted = serializers.ListField(
        child=serializers.CharField(), help_text="none for a prediction"
    )


class LessonCompletedSerializer(serializers.Serializer):
    lesson = serializers.SlugField()
    completed_at = serializers.DateTimeField()


class CheckAnswerView(APIView):
    """Grade one answer on the server (predictions are recorded, not graded)."""

    permission_classes = [AllowAny]  # visitors are graded too; only signed-in answers are saved

    @extend_schema(request=CheckSerializer, responses=AnswerCheckSerializer)
    def post(self, request: Request) -> Response:
        s = CheckSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        q, answer = s.validated_data["q"], s.validated_data["answer"]
        try:
            correct = grade(q, answer)
        except ValueError as exc:
            raise field_error(exc) from exc
        saved = None
        if request.user.is_authenticated:
            row = services.record_answer(request.user, q.lesson, q.id, answer, correct)
            saved = {"attempts": row.attempts, "first_attempt_correct": row.first_attempt_correct}
        body = {"lesson": q.lesson, "question": q.id, "kind": q.kind, "correct": correct}
        body["saved"] = saved
        if correct or not q.graded:
            body["reveal"] = reveal_segments(q)
        return Response(body)


class RevealView(APIView):
    """The explanation and accepted answer(s) of one question, on request."""

    permission_classes = [AllowAny]  # every reader of the lesson

    @extend_schema(request=QuestionRefSerializer, responses=AnswerRevealSerializer)
    def post(self, request: Request) -> Response:
        s = QuestionRefSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        q = s.validated_data["q"]
        return Response(
            {
                "lesson": q.lesson,
                "question": q.id,
                "reveal": reveal_segments(q),
                "accepted": list(q.accepted) if q.graded else [],
            }
        )


class CompleteSerializer(LessonSerializer):
    lesson = serializers.SlugField(max_length=64)


class CompleteView(APIView):
    """Mark a lesson complete for the signed-in student."""

    permission_classes = [IsAuthenticated]

    # 403, not 401, for an anonymous visitor: the browser's session authentication sends no
    # WWW-Authenticate challenge, so DRF answers 403 (documented here, as the API answers it).
    @extend_schema(
        request=CompleteSerializer,
        responses={200: LessonCompletedSerializer, 403: ErrorResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        s = CompleteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            row = services.mark_complete(request.user, s.validated_data["lesson"])
        except ValueError as exc:
            raise field_error(exc) from exc
        return Response({"lesson": row.lesson, "completed_at": row.completed_at.isoformat()})


class SavedAnswerSerializer(serializers.Serializer):
    answer = serializers.JSONField()
    correct = serializers.BooleanField(allow_null=True)
    attempts = serializers.IntegerField(min_value=1)
    first_attempt_correct = serializers.BooleanField(allow_null=True)
    last_answered_at = serializers.DateTimeField()


class LessonProgressSerializer(serializers.Serializer):
    """One lesson of GET /api/lessons/progress/ (``LessonProgress.as_dict()``)."""

    lesson = serializers.SlugField()
    title = serializers.CharField()
    completed = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)
    answered = serializers.IntegerField(min_value=0)
    correct = serializers.IntegerField(min_value=0)
    answers = serializers.DictField(child=SavedAnswerSerializer(), help_text="by question id")


class ProgressView(APIView):
    """The signed-in student's answers and completion, every lesson in course order."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: LessonProgressSerializer(many=True), 403: ErrorResponseSerializer}
    )
    def get(self, request: Request) -> Response:
        return Response([p.as_dict() for p in selectors.progress_for(request.user).values()])


__all__ = ["CheckAnswerView", "RevealView", "CompleteView", "ProgressView"]
