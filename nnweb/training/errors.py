"""The training app's refusal: a run that cannot be created or started as asked.

Its own module, below everything else in the app, so the service, the task and the
Mask R-CNN trainer can all raise it without importing one another.
"""

from __future__ import annotations


class RunRejected(ValueError):
    """A run that cannot be created as asked; the message says why."""
