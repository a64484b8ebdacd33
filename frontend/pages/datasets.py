"""Datasets pages (/datasets/)."""

from django.shortcuts import render
from django.urls import path


def index(request):
    return render(request, "frontend/datasets/index.html", {"title": "Datasets"})


urlpatterns = [
    path("datasets/", index, name="datasets"),
]
