"""Top-level URLs: admin, the REST API of every app under /api/<app>/, the OpenAPI
schema and docs, and the pages (frontend app)."""

from csp.decorators import csp_replace
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from nnweb.core.views import ApiIndexView, ApiNotFoundView

API_APPS = [
    "core",
    "accounts",
    "playground",
    "datasets",
    "training",
    "modelzoo",
    "segmentation",
    "lessons",
    "classes",
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    # Its page template carries one inline <style> block, allowed on this page only.
    path(
        "api/docs/",
        csp_replace({"style-src-elem": ["'self'", "'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("api/", ApiIndexView.as_view(), name="api-index"),
    *[path(f"api/{app}/", include(f"nnweb.{app}.api_urls")) for app in API_APPS],
    # Last of /api/: what no route matched is a JSON 404 (in DEBUG too), not an HTML page.
    re_path(r"^api/", ApiNotFoundView.as_view(), name="api-not-found"),
    path("", include("frontend.urls")),
]

# No /media/ route, not even in DEBUG: uploaded datasets, checkpoints and run outputs are
# reachable only through the permission-checked download views of their apps.

# Django's error views, answering the API's JSON under /api/ (nnweb.core.errors).
handler400 = "nnweb.core.errors.bad_request"
handler404 = "nnweb.core.errors.page_not_found"
handler500 = "nnweb.core.errors.server_error"
