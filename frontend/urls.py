"""Every page of nnweb. Each area keeps its views and urlpatterns in frontend/pages/<area>.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("frontend.pages.home")),
    path("", include("frontend.pages.accounts")),
    path("", include("frontend.pages.lessons")),
    path("", include("frontend.pages.playground")),
    path("", include("frontend.pages.datasets")),
    path("", include("frontend.pages.training")),
    path("", include("frontend.pages.models")),
    path("", include("frontend.pages.segmentation")),
    path("", include("frontend.pages.classes")),
    path("", include("nnweb.classes.lti.urls")),
]
