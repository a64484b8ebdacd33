"""REST views of the training app; thin wrappers around nnweb.training.services."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from nnweb.core.throttles import HeavyRateThrottle

from . import services
from .models import TrainingRun


class CreateRunSerializer(serializers.Serializer):
    dataset = serializers.IntegerField(required=False, allow_null=True)
    builtin = serializers.CharField(required=False, allow_blank=True)
    network = serializers.JSONField(required=False)
    optimizer = serializers.JSONField(required=False)


def get_run(request: Request, pk: int) -> TrainingRun:
    services.sweep_stale_runs()
    try:
        return services.visible_runs(request.user).get(pk=pk)
    except TrainingRun.DoesNotExist:
        raise Http404("No such run, or you may not see it.") from None


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
            return Response({"detail": str(form.errors), "errors": form.errors}, status=400)
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
        return Response(services.snapshot(get_run(request, pk)))


class RunCancelView(APIView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        run = get_run(request, pk)
        if not services.can_cancel(request.user, run):
            return Response({"detail": "You may not cancel this run."}, status=403)
        if run.finished:
            return Response({"detail": f"The run has already {run.status}."}, status=409)
        return Response(services.snapshot(services.cancel_run(run)))


class RunFileView(APIView):
    """The trained network: ?file=onnx (default) or ?file=npz (the engine checkpoint)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int):
        run = get_run(request, pk)
        fmt = request.query_params.get("file", "onnx")
        rel = run.onnx if fmt == "onnx" else run.checkpoint if fmt == "npz" else ""
        if not rel:
            return Response({"detail": "This run has produced no such file."}, status=404)
        path = Path(settings.MEDIA_ROOT) / rel
        if not path.is_file():
            return Response({"detail": "The file is missing on the server."}, status=404)
        name = f"run-{run.pk}.{'onnx' if fmt == 'onnx' else 'npz'}"
        return FileResponse(path.open("rb"), as_attachment=True, filename=name)


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
