"""REST API of the training app, mounted at /api/training/."""

from django.urls import path

from . import views

app_name = "training-api"

urlpatterns = [
    path("runs/", views.RunListView.as_view(), name="runs"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run"),
    path("runs/<int:pk>/cancel/", views.RunCancelView.as_view(), name="cancel"),
    path("runs/<int:pk>/model/", views.RunFileView.as_view(), name="model-file"),
    path("choices/", views.ChoicesView.as_view(), name="choices"),
]
