"""Models pages (/models/)."""

from django.shortcuts import render
from django.urls import path


def index(request):
    return render(request, "frontend/models/index.html", {"title": "Models"})


urlpatterns = [
    path("models/", index, name="models"),
]
