"""REST API of the playground app, mounted at /api/playground/ (see views.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("options/", views.OptionsView.as_view(), name="api-playground-options"),
    path("sessions/", views.SessionListView.as_view(), name="api-playground-sessions"),
    path("sessions/<str:session_id>/", views.SessionView.as_view(), name="api-playground-session"),
    path(
        "sessions/<str:session_id>/actions/",
        views.ActionView.as_view(),
        name="api-playground-actions",
    ),
    path("experiments/", views.ExperimentListView.as_view(), name="api-playground-experiments"),
    path("experiments/<int:pk>/", views.ExperimentView.as_view(), name="api-playground-experiment"),
    path("classroom-links/", views.ClassroomLinkListView.as_view(), name="api-playground-links"),
    path(
        "classroom-links/<str:token>/",
        views.ClassroomLinkView.as_view(),
        name="api-playground-link",
    ),
]
