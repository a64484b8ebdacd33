"""Database models of the training app."""

from django.db import models  # noqa: F401
