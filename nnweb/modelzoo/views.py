"""REST views of the modelzoo app: reads through nnweb.modelzoo.selectors, writes through
nweb.modelzoo.services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nnweb.core.view_helpers import attachment

from . import selectors, services
from .permissions import ChangedByOwnerOrInstructor, UploadsByInstructors
from .serializers import ModelUpdateSerializer, ModelUploadSerializer, TrainedModelSerializer


class ModelListView(APIView):
    """GET: every model (``?task=`` filters). POST (instructors): upload an .onnx file."""

    permission_classes = [UploadsByInstructors]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=TrainedModelSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs = selectors.visible_models(request.user)
        task = request.query_params.get("task")
        if task:
            qs = qs.filter(task=task)
        return Response(TrainedModelSerializer(qs, many=True, context={"request": request}).data)

    @extend_schema(request=ModelUploadSerializer, responses={201: TrainedModelSerializer})
    def post(self, request: Request) -> Response:
        form = ModelUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        try:
            model = services.upload_model(request.user, data.pop("file"), **data)
        except services.ModelRejected as err:
            raise ValidationError({"file": [str(err)]}) from None
        return Response(
            TrainedModelSerializer(model, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ModelDetailView(APIView):
    """GET: one model. PATCH ``{"visibility": ...}``: its owner or an instructor changes who
    sees it (only instructors may choose "students" or "public"). DELETE: its owner or an
    instructor removes it (record and files). Models the user may not see are 404."""

    permission_classes = [ChangedByOwnerOrInstructor]

    @extend_schema(request=ModelUpdateSerializer, responses=TrainedModelSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        model = selectors.model_or_404(request.user, pk)
        self.check_object_permissions(request, model)
        form = ModelUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # a change only instructors may make is the service's PermissionDenied: a 403 by the
        # one exception handler
        services.set_visibility(request.user, model, form.validated_data["visibility"])
        return Response(TrainedModelSerializer(model, context={"request": request}).data)

    @extend_schema(responses=TrainedModelSerializer)
    def get(self, request: Request, pk: int) -> Response:
        model = selectors.model_or_404(request.user, pk)
        return Response(TrainedModelSerializer(model, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        model = selectors.model_or_404(request.user, pk)
        self.check_object_permissions(request, model)
        services.delete_model(model)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModelDownloadView(APIView):
    """The .onnx file as an attachment (open it in Netron to see the graph)."""

    permission_classes = [AllowAny]  # whoever sees the model (selectors.model_or_404)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, pk: int):
        model = selectors.model_or_404(request.user, pk)
        return attachment(
            services.onnx_path(model),
            services.onnx_filename(model),
            content_type="application/octet-stream",
            missing="The model's ONNX file is missing.",
        )
