"""Segmentation pages (/segmentation/)."""

from django.shortcuts import render
from django.urls import path


def index(request):
    return render(request, "frontend/segmentation/index.html", {"title": "Segmentation"})


urlpatterns = [
    path("segmentation/", index, name="segmentation"),
]
