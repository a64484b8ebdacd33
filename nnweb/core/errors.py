"""One error shape for every API failure, REST and websocket alike.

Every 4xx/5xx under /api/ is drf-standardized-errors' JSON::

    {"type": "validation_error" | "client_error" | "server_error",
     "errors": [{"code": "required", "detail": "This field is required.", "attr": "n"}]}

``code`` is stable for programs, ``detail`` is the sentence for people, ``attr`` the field path
(``layers.2.units`` for nested fields; null when the error is about the whole request).

DRF views get it from :class:`ExceptionHandler` (settings ``DRF_STANDARDIZED_ERRORS``).
What DRF never sees — an unrouted /api/ path, a body over Django's size limit, a crash in a
middleware — goes through :class:`ApiErrorMiddleware` and the ``handler404``/``handler500``
of ``nnweb.urls``, which build the same JSON with :func:`error_body`. Websocket consumers
send :func:`ws_error` (the same ``errors`` list under ``"type": "error"``).
"""

from __future__ import annotations

import logging

from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from drf_standardized_errors.handler import ExceptionHandler as StandardExceptionHandler
from rest_framework import exceptions, status

from .db_busy import busy_detail, busy_response, busy_retry_after, is_db_busy

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def error_body(
    code: str, detail: str, attr: str | None = None, *, type: str = "client_error"
) -> dict:
    """The error JSON of the API, for code paths that are not a DRF view."""
    return {"type": type, "errors": [{"code": code, "detail": detail, "attr": attr}]}


def error_response(status_code: int, code: str, detail: str, attr: str | None = None):
    kind = "server_error" if status_code >= 500 else "client_error"
    return JsonResponse(error_body(code, detail, attr, type=kind), status=status_code)


def ws_error(code: str, detail: str, attr: str | None = None) -> dict:
    """A websocket error message: ``{"type": "error", "errors": [...]}`` (same items as REST)."""
    return {"type": "error", "errors": [{"code": code, "detail": detail, "attr": attr}]}


def body_limit_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (
        f"The request body is larger than the limit of {limit} bytes "
        f"({limit / (1024 * 1024):.0f} MB) for form fields and JSON; "
        "send files as multipart uploads."
    )


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    default_detail = "The service is unavailable."


class DatabaseBusy(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "database_busy"

    def __init__(self, detail: str, wait: int):
        super().__init__(detail)
        self.wait = wait  # drf-standardized-errors sends it as Retry-After


class LockedOut(exceptions.Throttled):
    """Too many failed sign-ins (django-axes): a 429 saying when to try again."""

    default_code = "locked_out"

    def __init__(self, detail: str, wait: float | None = None):
        super().__init__(wait=wait, detail=detail)
        self.detail = exceptions.ErrorDetail(detail, code="locked_out")


class ExceptionHandler(StandardExceptionHandler):
    """drf-standardized-errors' handler, keeping the messages nnweb's views give.

    The package turns Django's Http404/PermissionDenied into DRF's with their generic text;
    ours say what is missing ("No such dataset, or you may not see it."), so keep them.
    RequestDataTooBig (raised when DRF reads a body over DATA_UPLOAD_MAX_MEMORY_SIZE) is a 413
    naming the limit instead of a 500.
    """

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, AxesBackendPermissionDenied):
            # deferred: a real cycle (nnweb.accounts.lockout imports this module)
            from nnweb.accounts.lockout import lockout_message, retry_after_seconds

            request = self.context.get("request")
            return LockedOut(lockout_message(request), wait=retry_after_seconds(request))
        if isinstance(exc, Http404):
            return exceptions.NotFound(str(exc) or None)
        if isinstance(exc, PermissionDenied):
            return exceptions.PermissionDenied(str(exc) or None)
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge(body_limit_message())
        if is_db_busy(exc):  # a locked database: 503 with Retry-After (nnweb.core.db_busy)
            return DatabaseBusy(busy_detail(), wait=busy_retry_after())
        return exc

    def should_not_handle(self, exc: Exception) -> bool:
        # Always answer JSON under /api/: the traceback still goes to the log (report_exception).
        return False

    def report_exception(self, exc: exceptions.APIException, response) -> None:
        # A deliberate 503 (no model available) is an answer, not a crash to report.
        if exc.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR:
            super().report_exception(exc, response)


class ApiErrorMiddleware:
    """JSON errors for /api/ requests that fail outside a DRF view.

    Django raises RequestDataTooBig while reading the body and answers a bare HTML 400; a crash
    in a middleware or a non-DRF view gives the HTML 500 page. Under /api/ both become the
    API's JSON error (413 naming the limit, 500 without details; the traceback is logged).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not is_api(request):
            return None
        if isinstance(exc, RequestDataTooBig):
            return error_response(413, "payload_too_large", body_limit_message())
        busy = busy_response(exc)
        if busy is not None:
            return busy
        if isinstance(exc, Http404):
            return error_response(404, "not_found", str(exc) or "Not found.")
        if isinstance(exc, PermissionDenied):
            return error_response(403, "permission_denied", str(exc) or "Permission denied.")
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500, "error", "Server Error (500)")


def page_not_found(request: HttpRequest, exception: Exception, template_name: str = "404.html"):
    """handler404: JSON under /api/, the site's 404 page elsewhere."""
    if is_api(request):
        return error_response(404, "not_found", f"There is no API endpoint at {request.path}.")
    return defaults.page_not_found(request, exception, template_name=template_name)


def server_error(request: HttpRequest, template_name: str = "500.html"):
    """handler500: JSON under /api/, the site's 500 page elsewhere."""
    if is_api(request):
        return error_response(500, "error", "Server Error (500)")
    return defaults.server_error(request, template_name=template_name)


def bad_request(request: HttpRequest, exception: Exception, template_name: str = "400.html"):
    """handler400: JSON under /api/ (RequestDataTooBig is a SuspiciousOperation → 400 here)."""
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return error_response(413, "payload_too_large", body_limit_message())
        return error_response(400, "bad_request", "Bad request.")
    return defaults.bad_request(request, exception, template_name=template_name)
