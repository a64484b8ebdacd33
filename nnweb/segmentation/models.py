"""Database models of the segmentation app."""

from django.db import models  # noqa: F401
