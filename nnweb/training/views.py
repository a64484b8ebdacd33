"""REST views of the training app: reads through nnweb.training.selectors, writes through
nweb.training.services."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from nnweb.core.errors import Conflict
from nnweb.core.serializers import ErrorResponseSerializer
from nnweb.core.throttles import HeavyRateThrottle
from nnweb.core.view_helpers import attachment

from . import selectors, services
from .permissions import MayCancel, SignedInToTrain
from .serializers import ChoicesSerializer, CreateRunSerializer, RunSerializer, RunSummarySerializer


class RunListView(APIView):
    permission_classes = [SignedInToTrain]

    def get_throttles(self):
        if self.request.method == "POST":
            return [t() for t in (*api_settings.DEFAULT_THROTTLE_CLASSES, HeavyRateThrottle)]
        return super().get_throttles()

    @extend_schema(
        responses={200: RunSummarySerializer(many=True)}, operation_id="training_runs_list"
    )
    def get(self, request: Request) -> Response:
        """The runs you may see, newest first (at most 200), without their loss history."""
        runs = selectors.swept_runs(request.user)[:200]
        return Response(RunSummarySerializer([services.snapshot(r) for r in runs], many=True).data)

    @extend_schema(
        request=CreateRunSerializer, responses={201: RunSerializer, 403: ErrorResponseSerializer}
    )
    def post(self, request: Request) -> Response:
        form = CreateRunSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            run = services.create_run(request.user, **form.validated_data)
        except services.RunRejected as err:
            raise ValidationError(str(err)) from None
        return Response(RunSerializer(services.snapshot(run)).data, status=status.HTTP_201_CREATED)


class RunDetailView(APIView):
    permission_classes = [AllowAny]  # whoever sees the run (selectors.get_run)

    @extend_schema(responses={200: RunSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(RunSerializer(services.snapshot(selectors.get_run(request.user, pk))).data)


class RunCancelView(APIView):
    permission_classes = [MayCancel]

    @extend_schema(request=None, responses={200: RunSerializer, 409: ErrorResponseSerializer})
    def post(self, request: Request, pk: int) -> Response:
        run = selectors.get_run(request.user, pk)
        self.check_object_permissions(request, run)
        if run.finished:
            raise Conflict(f"The run has already {run.status}.")
        return Response(RunSerializer(services.snapshot(services.cancel_run(run))).data)


class RunFileView(APIView):
    """The trained network: ?file=onnx (default) or ?file=npz (the engine checkpoint)."""

    permission_classes = [AllowAny]  # whoever sees the run (selectors.get_run)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int):
        run = selectors.get_run(request.user, pk)
        fmt = request.query_params.get("file", "onnx")
        rel = run.onnx if fmt == "onnx" else run.checkpoint if fmt == "npz" else ""
        if not rel:
            raise NotFound("This run has produced no such file.")
        return attachment(Path(settings.MEDIA_ROOT) / rel, f"run-{run.pk}.{fmt}")


class ChoicesView(APIView):
    """What the user may train on, and their quota."""

    permission_classes = [AllowAny]  # anonymous visitors see the built-in data sets

    @extend_schema(responses={200: ChoicesSerializer})
    def get(self, request: Request) -> Response:
        return Response(
            ChoicesSerializer(
                {
                    **selectors.dataset_choices(request.user),
                    "quota": selectors.quota_summary(request.user)
                    if request.user.is_authenticated
                    else None,
                }
            ).data
        )
