"""How a run's changes reach the pages watching it: a ``run.changed`` to the run's group.

Only a shared channel layer (Redis) crosses processes; without one the consumers poll
the run's row and nothing is sent.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)


def group_name(run_id: int) -> str:
    return f"training-run-{run_id}"


def notify(run_id: int) -> None:
    """Tell consumers in other processes that the run changed (only with a shared layer)."""
    layers = getattr(settings, "CHANNEL_LAYERS", {}) or {}
    backend = layers.get("default", {}).get("BACKEND", "")
    if not backend or "InMemory" in backend:
        return  # consumers poll the database; an in-memory layer cannot cross processes
    try:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group_name(run_id), {"type": "run.changed"})
    except Exception:  # the database is the record; a lost push only delays the page
        logger.warning("could not publish progress of run %s", run_id, exc_info=True)
