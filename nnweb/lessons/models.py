"""Database models of the lessons app."""

from django.db import models  # noqa: F401
