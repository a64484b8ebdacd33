"""REST API of the core app, mounted at /api/core/."""

from django.urls import path

from nnweb.core.views import JobDetailView, PrimesJobCreateView

urlpatterns = [
    path("jobs/primes/", PrimesJobCreateView.as_view(), name="api-core-primes"),
    path("jobs/<uuid:job_id>/", JobDetailView.as_view(), name="api-core-job"),
]
