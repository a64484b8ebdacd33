"""REST views of core: the demo background job."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from nnweb.core import services
from nnweb.core.throttles import BurstRateThrottle


class PrimesRequestSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="Count the primes below this number.")


class JobSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["READY", "RUNNING", "SUCCESSFUL", "FAILED"])
    finished = serializers.BooleanField()
    n = serializers.IntegerField(allow_null=True)
    result = serializers.DictField(allow_null=True)
    error = serializers.CharField(allow_null=True)
    enqueued_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class PrimesJobCreateView(APIView):
    """Enqueue "count the primes below n" for a db_worker."""

    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, BurstRateThrottle]

    @extend_schema(request=PrimesRequestSerializer, responses={202: JobSerializer})
    def post(self, request):
        try:
            result = services.enqueue_count_primes(request.data.get("n"))
        except ValueError as exc:
            raise ValidationError({"n": [str(exc)]}) from exc
        job = services.get_job(result.id)
        return Response(job.as_dict(), status=status.HTTP_202_ACCEPTED)


class JobDetailView(APIView):
    """State and result of a demo job (poll until `finished`)."""

    @extend_schema(responses={200: JobSerializer})
    def get(self, request, job_id):
        try:
            job = services.get_job(str(job_id))
        except services.JobNotFound as exc:
            raise NotFound(str(exc)) from exc
        return Response(job.as_dict())
