"""Home page (/)."""

from django.shortcuts import render
from django.urls import path


def home(request):
    return render(request, "frontend/home/index.html")


urlpatterns = [
    path("", home, name="home"),
]
