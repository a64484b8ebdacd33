"""Database models of the datasets app."""

from django.db import models  # noqa: F401
