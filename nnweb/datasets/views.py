"""REST views of the datasets app: reads through nnweb.datasets.selectors, writes through
nweb.datasets.services."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nnweb.core.errors import PayloadTooLarge
from nnweb.core.parsers import BoundedJSONParser
from nnweb.core.serializers import ErrorResponseSerializer
from nnweb.core.view_helpers import attachment

from . import selectors, services
from .importers import DatasetRejected
from .models import Dataset
from .permissions import ManagedByOwner, UploadsByInstructors
from .serializers import PREVIEW, DatasetSerializer, UpdateSerializer, UploadSerializer


def rejected(err: DatasetRejected, field: str = "file") -> ValidationError:
    """An import's refusal as the API's 400 on ``field``; the message says where (row, member)."""
    return ValidationError({field: [str(err)]})


class DatasetListView(APIView):
    permission_classes = [UploadsByInstructors]
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    @extend_schema(responses=DatasetSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs = selectors.visible_datasets(request.user)
        kind = request.query_params.get("kind")
        if kind:
            qs = qs.filter(kind=kind)
        return Response(DatasetSerializer(qs, many=True).data)

    @extend_schema(
        request=UploadSerializer,
        responses={201: DatasetSerializer, 403: ErrorResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        try:
            services.check_request_size(request.META.get("CONTENT_LENGTH"))
        except DatasetRejected as err:
            raise PayloadTooLarge(str(err)) from None
        form = UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            ds = services.import_upload(request.user, form.validated_data)
        except DatasetRejected as err:
            field = "annotations" if (err.where or "").startswith("annotations") else "file"
            raise rejected(err, field) from None
        return Response(DatasetSerializer(ds).data, status=status.HTTP_201_CREATED)


class DatasetDetailView(APIView):
    permission_classes = [ManagedByOwner]
    manage_actions = {"PATCH": "change", "DELETE": "delete"}
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]
    serializer_class = DatasetSerializer

    @extend_schema(responses=DatasetSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(DatasetSerializer(self.get_object(pk)).data)

    def get_object(self, pk: int) -> Dataset:
        ds = selectors.get_visible(self.request.user, pk)
        self.check_object_permissions(self.request, ds)
        return ds

    @extend_schema(request=UpdateSerializer, responses=DatasetSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        ds = self.get_object(pk)
        form = UpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(DatasetSerializer(services.update_dataset(ds, **form.validated_data)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.delete_dataset(self.get_object(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DatasetPreviewView(APIView):
    permission_classes = [AllowAny]  # whoever sees the dataset (get_visible) sees its preview

    @extend_schema(responses=PREVIEW)
    def get(self, request: Request, pk: int) -> Response:
        return Response(services.preview(selectors.get_visible(request.user, pk)))


class DatasetDownloadView(APIView):
    """The original upload (``?part=annotations`` for a COCO set's JSON); owner only."""

    permission_classes = [ManagedByOwner]
    manage_actions = {"GET": "download"}

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int):
        ds = selectors.get_visible(request.user, pk)
        self.check_object_permissions(request, ds)
        if request.query_params.get("part") == "annotations" and ds.annotations:
            return attachment(ds.annotations.path, "annotations.json")
        return attachment(ds.original.path, ds.original_name)


class DatasetSampleView(APIView):
    """PNG of one image sample; ``?overlay=1`` draws a COCO set's instance masks."""

    permission_classes = [AllowAny]  # whoever sees the dataset (get_visible)

    @extend_schema(responses={(200, "image/png"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int, index: int):
        ds = selectors.get_visible(request.user, pk)
        try:
            png = services.sample_png(ds, index, overlay=request.query_params.get("overlay") == "1")
        except DatasetRejected as err:
            raise NotFound(str(err)) from None
        resp = HttpResponse(png, content_type="image/png")
        resp["Cache-Control"] = "private, max-age=3600"
        return resp
