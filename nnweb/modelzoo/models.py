"""Database models of the modelzoo app."""

from django.db import models  # noqa: F401
