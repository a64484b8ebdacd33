"""REST API of the segmentation app, mounted at /api/segmentation/.

GET  models/                 instance-segmentation models (the shipped one is the default)
GET  samples/                sample images  ->  [{id, name, seed, url}]
GET  samples/<id>.png        one sample image (PNG)
POST generate/               a new random shapes image: {seed?} -> {seed, image, truth}
POST run/                    segment one image; the image is one of
                               multipart file "image" (PNG or JPEG, <= 5 MB, <= 4096 x 4096)
                               "image_base64" (a canvas data: URL or bare base64)
                               "sample" (a sample id) or "seed" (a generated image)
                             and optionally "model" (id) and "score_threshold" (0..1)
                             -> boxes, labels, names, scores, masks (run-length encoded at
                                mask_size), provider, device, latency_ms
"""

from __future__ import annotations

import random

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from nnweb.core.throttles import BurstRateThrottle, HeavyRateThrottle

from . import services

app_name = "segmentation-api"


def _error(message: str, field: str | None = None, code: int = status.HTTP_400_BAD_REQUEST):
    body = {"detail": message}
    if field:
        body["field"] = field
    return Response(body, status=code)


class RunRequest(serializers.Serializer):
    """One of image / image_base64 / sample / seed, and optionally model and score_threshold."""

    image = serializers.FileField(required=False, help_text="PNG or JPEG, <= 5 MB, <= 4096 px")
    image_base64 = serializers.CharField(required=False, help_text="data: URL or bare base64")
    sample = serializers.IntegerField(required=False, help_text="a sample image id")
    seed = serializers.IntegerField(required=False, help_text="seed of a generated image")
    model = serializers.CharField(required=False, help_text="model id (default: shipped)")
    score_threshold = serializers.FloatField(required=False, min_value=0, max_value=1)


class GenerateRequest(serializers.Serializer):
    seed = serializers.IntegerField(required=False, min_value=0)


ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description='{"detail": message, "field": name}')


class ModelsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Instance-segmentation models")
    def get(self, request):
        models = services.list_models(request.user)
        return Response({"models": [m.public() for m in models]})


class SamplesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Sample images")
    def get(self, request):
        items = [
            {**s, "url": request.build_absolute_uri(f"{s['id']}.png")} for s in services.samples()
        ]
        return Response({"samples": items})


class SampleImageView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={(200, "image/png"): OpenApiTypes.BINARY, 404: ERROR}, summary="A sample image"
    )
    def get(self, request, index: int):
        if not 0 <= index < len(services.SAMPLE_SEEDS):
            return _error(f"There is no sample {index}.", code=status.HTTP_404_NOT_FOUND)
        response = HttpResponse(services.sample_png(index), content_type="image/png")
        response["Cache-Control"] = "public, max-age=86400"
        return response


class GenerateView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, BurstRateThrottle]

    @extend_schema(
        request=GenerateRequest,
        responses={200: OpenApiTypes.OBJECT, 400: ERROR},
        summary="A new random shapes image (PNG data: URL) and its true objects",
    )
    def post(self, request):
        try:
            if request.data.get("seed") not in (None, ""):
                seed = services.whole_number(request.data["seed"], "seed", 0, services.MAX_SEED)
            else:
                seed = random.SystemRandom().randint(0, services.MAX_SEED)
        except services.ImageRejected as exc:
            return _error(str(exc), "seed")
        png, truth = services.generate_shapes(seed)
        return Response({"seed": seed, "image": services.data_url(png), "truth": truth})


class RunView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, HeavyRateThrottle]

    @extend_schema(
        request={"multipart/form-data": RunRequest, "application/json": RunRequest},
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="boxes, labels, names, scores, masks (run lengths at mask_size), "
                "provider, device, latency_ms, total_ms",
            ),
            400: ERROR,
            503: ERROR,
        },
        summary="Segment one image",
    )
    def post(self, request):
        data = request.data
        field = "image"
        try:
            upload = request.FILES.get("image")
            if upload is not None:
                img = services.decode_upload(upload)
            elif data.get("image_base64"):
                field = "image_base64"
                img = services.decode_base64_image(data.get("image_base64"))
            elif data.get("sample") not in (None, ""):
                field = "sample"
                index = services.whole_number(
                    data["sample"], "sample", 0, len(services.SAMPLE_SEEDS) - 1
                )
                img = services.sample_image(index)
            elif data.get("seed") not in (None, ""):
                field = "seed"
                seed = services.whole_number(data["seed"], "seed", 0, services.MAX_SEED)
                img = services.decode_image(services.generate_shapes(seed)[0], "seed")
            else:
                raise services.ImageRejected(
                    "No image: send a PNG/JPEG file as 'image', a canvas as 'image_base64', "
                    "or choose a 'sample' or a generated 'seed'."
                )
            field = "score_threshold"
            threshold = services.score_threshold(data.get("score_threshold"))
        except services.ImageRejected as exc:
            return _error(str(exc), field)
        model_id = data.get("model") or None
        try:
            result = services.segment(img, model_id, request.user, threshold)
        except services.ModelUnavailable as exc:
            code = status.HTTP_400_BAD_REQUEST if model_id else status.HTTP_503_SERVICE_UNAVAILABLE
            return _error(str(exc), "model", code)
        return Response(result.as_dict())


urlpatterns = [
    path("models/", ModelsView.as_view(), name="models"),
    path("samples/", SamplesView.as_view(), name="samples"),
    path("samples/<int:index>.png", SampleImageView.as_view(), name="sample-image"),
    path("generate/", GenerateView.as_view(), name="generate"),
    path("run/", RunView.as_view(), name="run"),
]
