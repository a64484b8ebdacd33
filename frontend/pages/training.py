"""Training pages (/training/)."""

from django.shortcuts import render
from django.urls import path


def index(request):
    return render(request, "frontend/training/index.html", {"title": "Training"})


urlpatterns = [
    path("training/", index, name="training"),
]
