"""REST API of the lessons app, mounted at /api/lessons/.

Every endpoint is ``POST /api/lessons/<name>/`` with a JSON object of the service's keyword
arguments (all optional: the defaults are the notes' worked examples) and answers the
service's JSON result, or 400 ``{"detail": "<field>: <what was wrong>"}``. The computations
are small and bounded (see the limits in services.py); the CNN training run is rate-limited
more tightly than the rest.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from nnweb.core.throttles import HeavyRateThrottle

from . import services

# name -> (service, heavy?)
ENDPOINTS: dict[str, tuple[Callable, bool]] = {
    "conv2d": (services.conv2d, False),
    "conv_image": (services.conv_image, False),
    "conv_volume": (services.conv_volume, False),
    "conv1d": (services.conv1d, False),
    "output_size": (services.output_size, False),
    "pool": (services.pool, False),
    "activation": (services.activation_samples, False),
    "linear_collapse": (services.linear_collapse, False),
    "relu_pool": (services.relu_pool_commute, False),
    "nll": (services.nll_classification, False),
    "gaussian_nll": (services.gaussian_nll, False),
    "param_count": (services.param_count, False),
    "equivariance": (services.equivariance, False),
    "network_trace": (services.network_trace, False),
    "sgd_compare": (services.sgd_compare, True),
    "lr_compare": (services.lr_compare, True),
    "cnn_train": (services.cnn_train, True),
    "roi": (services.roi_explain, False),
    "mask_head": (services.mask_head_demo, False),
}


class LessonComputeView(APIView):
    """Runs one lesson service on the posted JSON object."""

    service: Callable = staticmethod(lambda: {})
    authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
    permission_classes = api_settings.DEFAULT_PERMISSION_CLASSES

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = request.data
        if not isinstance(data, dict):
            return Response({"detail": "expected a JSON object of named arguments"}, status=400)
        allowed = [p for p in inspect.signature(self.service).parameters]
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            return Response(
                {
                    "detail": f"unknown field(s) {', '.join(unknown)}; "
                    f"accepted: {', '.join(allowed) or 'none'}"
                },
                status=400,
            )
        try:
            result = self.service(**{k: data[k] for k in allowed if k in data})
        except services.LessonInputError as exc:
            return Response({"detail": str(exc)}, status=400)
        except ValueError as exc:  # the engine's own checks (they name layer and shapes)
            return Response({"detail": str(exc)}, status=400)
        return Response(result)


def _view(name: str, service: Callable, heavy: bool):
    throttles = list(api_settings.DEFAULT_THROTTLE_CLASSES)
    if heavy:
        throttles.append(HeavyRateThrottle)
    cls = type(
        f"Lesson_{name}_View",
        (LessonComputeView,),
        {
            "service": staticmethod(service),
            "throttle_classes": throttles,
            "__doc__": (service.__doc__ or name).strip().split("\n\n")[0],
        },
    )
    return cls.as_view()


class LessonIndexView(APIView):
    """Every lesson endpoint with its arguments and what it computes."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(
            {
                name: {
                    "url": request.build_absolute_uri(f"{name}/"),
                    "method": "POST",
                    "arguments": list(inspect.signature(svc).parameters),
                    "doc": (svc.__doc__ or "").strip().split("\n\n")[0],
                }
                for name, (svc, _heavy) in ENDPOINTS.items()
            }
        )


app_name = "lessons-api"

urlpatterns = [
    path("", LessonIndexView.as_view(), name="index"),
    *[
        path(f"{name}/", _view(name, svc, heavy), name=name)
        for name, (svc, heavy) in ENDPOINTS.items()
    ],
]
