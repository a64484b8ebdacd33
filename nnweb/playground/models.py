"""Database models of the playground app."""

from django.db import models  # noqa: F401
