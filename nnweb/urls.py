"""Top-level URLs: admin, the REST API of every app under /api/<app>/, the OpenAPI
schema and docs, and the pages (frontend app)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

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
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *[path(f"api/{app}/", include(f"nnweb.{app}.api_urls")) for app in API_APPS],
    path("", include("frontend.urls")),
]

# No /media/ route, not even in DEBUG: uploaded datasets, checkpoints and run outputs are
# reachable only through the permission-checked download views of their apps.
