"""The importers' use of the one image decoder (nnweb.datasets.images): refusals as
:class:`DatasetRejected` naming the file in the archive."""

from __future__ import annotations

from PIL import Image

from ..images import ImageUnreadable, decode_image, is_grayscale, to_mode
from ..limits import Limits
from . import DatasetRejected

__all__ = ["is_grayscale", "open_image", "to_mode"]


def open_image(data: bytes, where: str, limits: Limits) -> Image.Image:
    """Decode ``data`` fully; refuse unreadable images and ones over the pixel limit."""
    try:
        return decode_image(data, where, max_pixels=limits.max_image_pixels)
    except ImageUnreadable as err:
        raise DatasetRejected(err.detail, where=where) from None
