"""DRF serializers of the classes API: inputs validated here, outputs described here."""

from __future__ import annotations

from rest_framework import serializers

from frontend.course import COURSE
from nnweb.datasets.models import Dataset

from . import goals, selectors
from .models import Assignment, Class, Submission


class ClassInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, trim_whitespace=True)


class JoinSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, help_text="the class's join code")


class InstructorInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class ClassSerializer(serializers.ModelSerializer):
    """A class as its members see it; instructors also get the join code and the roster size."""

    role = serializers.SerializerMethodField(help_text="instructor | student")
    join_code = serializers.SerializerMethodField()
    join_url = serializers.SerializerMethodField()
    instructors = UserBriefSerializer(many=True, read_only=True)
    n_students = serializers.SerializerMethodField()

    class Meta:
        model = Class
        fields = ["id", "name", "role", "join_code", "join_url", "instructors", "n_students"]

    def _teaches(self, obj) -> bool:
        return selectors.is_class_instructor(self.context["request"].user, obj)

    def get_role(self, obj) -> str:
        return "instructor" if self._teaches(obj) else "student"

    def get_join_code(self, obj) -> str | None:
        return obj.join_code if self._teaches(obj) else None

    def get_join_url(self, obj) -> str | None:
        return f"/classes/join/{obj.join_code}/" if self._teaches(obj) else None

    def get_n_students(self, obj) -> int | None:
        return obj.students.count() if self._teaches(obj) else None


LESSON_CHOICES = [(s.slug, s.title) for s in COURSE]


class AssignmentInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    kind = serializers.ChoiceField(choices=Assignment.Kind.choices)
    due = serializers.DateTimeField()
    lesson = serializers.ChoiceField(choices=LESSON_CHOICES, required=False)
    goal = goals.GoalSerializer(required=False)
    dataset = serializers.PrimaryKeyRelatedField(queryset=Dataset.objects.all(), required=False)
    target_accuracy = serializers.FloatField(min_value=0.0, max_value=1.0, required=False)

    def validate(self, attrs: dict) -> dict:
        kind = attrs["kind"]
        need = {
            Assignment.Kind.LESSON: ("lesson",),
            Assignment.Kind.CHALLENGE: ("goal",),
            Assignment.Kind.TRAINING: ("dataset", "target_accuracy"),
        }[kind]
        missing = {f: f"a {kind} assignment needs {f}" for f in need if attrs.get(f) is None}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class AssignmentSerializer(serializers.ModelSerializer):
    goal_text = serializers.SerializerMethodField(help_text="what the student must do")
    score_rule = serializers.SerializerMethodField(help_text="how the score is computed")
    dataset_name = serializers.CharField(
        source="dataset.name", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "title",
            "kind",
            "due",
            "lesson",
            "goal",
            "goal_text",
            "dataset",
            "dataset_name",
            "target_accuracy",
            "score_rule",
        ]

    def get_goal_text(self, obj) -> str:
        if obj.kind == Assignment.Kind.LESSON:
            return f"answer the questions of “{selectors.lesson_title(obj.lesson)}”"
        if obj.kind == Assignment.Kind.CHALLENGE:
            return goals.Goal.from_dict(obj.goal).describe()
        return f"train on {obj.dataset.name} to a validation accuracy ≥ {obj.target_accuracy:.0%}"

    def get_score_rule(self, obj) -> str:
        if obj.kind == Assignment.Kind.LESSON:
            return selectors.LESSON_SCORE_RULE
        return "1 when the server finds the goal met, else 0"


class SubmitSerializer(serializers.Serializer):
    """Only a reference to the student's own work: the server measures everything itself."""

    session = serializers.CharField(
        max_length=64, required=False, help_text="your live playground session id (challenges)"
    )
    run = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="your training run id"
    )

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("session") and attrs.get("run") is None:
            raise serializers.ValidationError(
                {"session": "send your playground session id (or a training run id)"}
            )
        return attrs


class SubmissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Submission
        fields = ["assignment", "status", "score", "attempts", "passed_at", "detail"]


class CheckResultSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    measured = serializers.DictField()
    reasons = serializers.ListField(child=serializers.CharField())
    submission = SubmissionSerializer()


class CellSerializer(serializers.Serializer):
    status = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    late = serializers.BooleanField()
    detail = serializers.CharField()


class GradebookRowSerializer(serializers.Serializer):
    student = UserBriefSerializer()
    cells = CellSerializer(many=True)
    total = serializers.FloatField(allow_null=True)


class GradebookSerializer(serializers.Serializer):
    assignments = AssignmentSerializer(many=True)
    rows = GradebookRowSerializer(many=True)


class MyResultSerializer(serializers.Serializer):
    assignment = AssignmentSerializer()
    result = CellSerializer()


class WrongAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
    count = serializers.IntegerField()


class QuestionStatSerializer(serializers.Serializer):
    question = serializers.CharField(help_text="the question's id within the lesson")
    text = serializers.CharField(help_text="the question's prompt, short and in plain text")
    answered = serializers.IntegerField()
    first_correct = serializers.FloatField(allow_null=True)
    correct = serializers.FloatField(allow_null=True)
    wrong_answers = WrongAnswerSerializer(many=True)


class SendSerializer(serializers.Serializer):
    link = serializers.CharField(max_length=32, help_text="a classroom link token")


class SetupSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()
    hide = serializers.ListField(child=serializers.CharField())
    config = serializers.DictField()


class LiveSnapshotSerializer(serializers.Serializer):
    student = UserBriefSerializer()
    open = serializers.BooleanField()
    message = serializers.CharField(required=False)
    tile = serializers.DictField(allow_null=True)
    config = serializers.DictField(required=False)
    network = serializers.DictField(required=False)
    metrics = serializers.DictField(required=False)
    history = serializers.ListField(required=False)


class LiveTilesSerializer(serializers.Serializer):
    tiles = serializers.ListField(child=serializers.DictField())
