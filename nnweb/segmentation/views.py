"""REST views of the segmentation app, mounted at /api/segmentation/ (see api_urls.py)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from nnweb.core.errors import ServiceUnavailable
from nnweb.core.serializers import ErrorResponseSerializer
from nnweb.core.throttles import BurstRateThrottle, HeavyRateThrottle

from . import selectors, services
from .serializers import (
    GenerateRequestSerializer,
    GenerateResponseSerializer,
    ModelsResponseSerializer,
    RunRequestSerializer,
    RunResponseSerializer,
    SamplesResponseSerializer,
)


class ModelsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ModelsResponseSerializer}, summary="Segmentation models")
    def get(self, request):
        models = selectors.list_models(request.user)
        return Response(ModelsResponseSerializer({"models": [m.public() for m in models]}).data)


class SamplesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: SamplesResponseSerializer}, summary="Sample images")
    def get(self, request):
        items = [
            {**s, "url": request.build_absolute_uri(f"{s['id']}.png")} for s in services.samples()
        ]
        return Response(SamplesResponseSerializer({"samples": items}).data)


class SampleImageView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "image/png"): OpenApiTypes.BINARY}, summary="A sample image")
    def get(self, request, index: int):
        if not 0 <= index < len(services.SAMPLE_SEEDS):
            raise NotFound(f"There is no sample {index}.")
        response = HttpResponse(services.sample_png(index), content_type="image/png")
        response["Cache-Control"] = "public, max-age=86400"
        return response


class GenerateView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, BurstRateThrottle]

    @extend_schema(
        request=GenerateRequestSerializer,
        responses={200: GenerateResponseSerializer},
        summary="A new random shapes image (PNG data: URL) and its true objects",
    )
    def post(self, request):
        form = GenerateRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        seed = form.validated_data["seed"]
        png, truth = services.generate_shapes(seed)
        body = {"seed": seed, "image": services.data_url(png), "truth": truth}
        return Response(GenerateResponseSerializer(body).data)


class RunView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, HeavyRateThrottle]

    @extend_schema(
        request={
            "multipart/form-data": RunRequestSerializer,
            "application/json": RunRequestSerializer,
        },
        responses={200: RunResponseSerializer, 503: ErrorResponseSerializer},
        summary="Segment one image",
    )
    def post(self, request):
        form = RunRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            result = services.segment(
                data["img"], data["model"], request.user, data["score_threshold"]
            )
        except selectors.ModelUnavailable as exc:
            if data["model"]:
                raise ValidationError({"model": [str(exc)]}) from None
            raise ServiceUnavailable(str(exc)) from None
        return Response(RunResponseSerializer(result.as_dict()).data)
