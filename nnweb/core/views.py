"""REST views of core: the API's index, its JSON 404, and the demo background job."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from nnweb.core import selectors, services
from nnweb.core.serializers import ApiIndexSerializer, JobSerializer, PrimesRequestSerializer
from nnweb.core.throttles import BurstRateThrottle

SECTIONS = [
    ("core", "the demo background job"),
    ("accounts", "API tokens, who am I, the people list"),
    ("playground", "playground sessions: configure, step, train a small network"),
    ("datasets", "uploaded data sets: list, upload, preview, download"),
    ("training", "training runs on a worker and what they may train on"),
    ("modelzoo", "trained and uploaded models (ONNX)"),
    ("segmentation", "instance segmentation of an image"),
    ("lessons", "the lessons' calculators (convolution, pooling, losses, shapes)"),
]


class ApiIndexView(APIView):
    """The API's sections, its schema and its documentation."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: ApiIndexSerializer})
    def get(self, request):
        return Response(
            {
                "sections": [
                    {"name": name, "url": f"/api/{name}/", "description": text}
                    for name, text in SECTIONS
                ],
                "schema": "/api/schema/",
                "docs": "/api/docs/",
            }
        )


class ApiNotFoundView(APIView):
    """Any /api/ path no route matched: a JSON 404 (not Django's HTML page)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []
    schema = None

    def initial(self, request, *args, **kwargs):
        hint = "" if request.path.endswith("/") else f" (did you mean {request.path}/?)"
        raise NotFound(f"There is no API endpoint at {request.path}{hint}.")


class PrimesJobCreateView(APIView):
    """Enqueue "count the primes below n" for a db_worker. Only whoever queued a job reads it."""

    permission_classes = [AllowAny]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, BurstRateThrottle]

    @extend_schema(request=PrimesRequestSerializer, responses={202: JobSerializer})
    def post(self, request):
        form = PrimesRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        owner = services.owner_key(request)
        result = services.enqueue_count_primes(form.validated_data["n"], owner)
        job = selectors.get_job(result.id, owner)
        return Response(JobSerializer(job.as_dict()).data, status=status.HTTP_202_ACCEPTED)


class JobDetailView(APIView):
    """State and result of a demo job (poll until `finished`); 404 unless you queued it."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: JobSerializer})
    def get(self, request, job_id):
        try:
            job = selectors.get_job(str(job_id), services.owner_key(request))
        except selectors.JobNotFound as exc:
            raise NotFound(str(exc)) from exc
        return Response(JobSerializer(job.as_dict()).data)
