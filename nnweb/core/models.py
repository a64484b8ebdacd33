"""Database models of the core app."""

from django.db import models  # noqa: F401
