"""REST API of the datasets app, mounted at /api/datasets/."""

from django.urls import path

from . import views

app_name = "datasets-api"

urlpatterns = [
    path("", views.DatasetListView.as_view(), name="list"),
    path("<int:pk>/", views.DatasetDetailView.as_view(), name="detail"),
    path("<int:pk>/preview/", views.DatasetPreviewView.as_view(), name="preview"),
    path("<int:pk>/download/", views.DatasetDownloadView.as_view(), name="download"),
    path("<int:pk>/samples/<int:index>.png", views.DatasetSampleView.as_view(), name="sample"),
]
