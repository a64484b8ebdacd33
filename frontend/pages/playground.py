"""Playground pages (/playground/)."""

from django.shortcuts import render
from django.urls import path


def index(request):
    return render(request, "frontend/playground/index.html", {"title": "Playground"})


urlpatterns = [
    path("playground/", index, name="playground"),
]
