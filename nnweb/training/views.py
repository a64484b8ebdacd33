"""REST views of the training app; thin wrappers around nnweb.training.services."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from nnweb.core.throttles import HeavyRateThrottle
from nnweb.core.view_helpers import attachment, get_or_404, invalid_form, require

from . import services
from .models import TrainingRun


class CreateRunSerializer(serializers.Serializer):
    dataset = serializers.IntegerField(required=False, allow_null=True)
    builtin = serializers.CharField(required=False, allow_blank=True)
    network = serializers.JSONField(required=False)
    optimizer = serializers.JSONField(required=False)


def get_run(user, pk: int) -> TrainingRun:
    """The run ``pk`` if ``user`` may see it, else 404 (API and pages alike).

    Stale runs are swept first so that a run whose worker died reads as failed.
    """
    services.sweep_stale_runs()
    return get_or_404(services.visible_runs(user), pk, "No such run, or you may not see it.")


def get_cancellable(user, pk: int) -> TrainingRun:
    """The run ``pk`` if ``user`` may cancel it (404 if unseen, 403 otherwise)."""
    run = get_run(user, pk)
    require(services.can_cancel(user, run), "You may not cancel this run.")
    return run


class RunListView(APIView):
    def get_throttles(self):
        if self.request.method == "POST":
            return [t() for t in (*api_settings.DEFAULT_THROTTLE_CLASSES, HeavyRateThrottle)]
        return super().get_throttles()

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="training_runs_list")
    def get(self, request: Request) -> Response:
        services.sweep_stale_runs()
        runs = services.visible_runs(request.user)[:200]
        data = []
        for run in runs:
            snap = services.snapshot(run)
            snap.pop("history")
            data.append(snap)
        return Response(data)

    @extend_schema(request=CreateRunSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            return Response({"detail": "Sign in to train networks."}, status=403)
        form = CreateRunSerializer(data=request.data)
        if not form.is_valid():
            return invalid_form(form)
        d = form.validated_data
        try:
            run = services.create_run(
                request.user,
                dataset=d.get("dataset"),
                builtin=d.get("builtin") or "",
                network=d.get("network"),
                optimizer=d.get("optimizer"),
            )
        except services.RunRejected as err:
            return Response({"detail": str(err)}, status=400)
        return Response(services.snapshot(run), status=status.HTTP_201_CREATED)


class RunDetailView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        return Response(services.snapshot(get_run(request.user, pk)))


class RunCancelView(APIView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        run = get_cancellable(request.user, pk)
        if run.finished:
            return Response({"detail": f"The run has already {run.status}."}, status=409)
        return Response(services.snapshot(services.cancel_run(run)))


class RunFileView(APIView):
    """The trained network: ?file=onnx (default) or ?file=npz (the engine checkpoint)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int):
        run = get_run(request.user, pk)
        fmt = request.query_params.get("file", "onnx")
        rel = run.onnx if fmt == "onnx" else run.checkpoint if fmt == "npz" else ""
        if not rel:
            return Response({"detail": "This run has produced no such file."}, status=404)
        return attachment(Path(settings.MEDIA_ROOT) / rel, f"run-{run.pk}.{fmt}")


class ChoicesView(APIView):
    """What the user may train on, and their quota."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(
            {
                **services.dataset_choices(request.user),
                "quota": services.quota_summary(request.user)
                if request.user.is_authenticated
                else None,
            }
        )
