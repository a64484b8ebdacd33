"""Decoding untrusted images with Pillow's decompression-bomb guard."""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

from ..limits import Limits
from . import DatasetRejected


def open_image(data: bytes, where: str, limits: Limits) -> Image.Image:
    """Decode ``data`` fully; refuse unreadable images and ones over the pixel limit."""
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            w, h = im.size
            if w * h > limits.max_image_pixels:
                raise DatasetRejected(
                    f"the image is {w}×{h} = {w * h} pixels; the limit is "
                    f"{limits.max_image_pixels} pixels",
                    where=where,
                )
            im.load()
    except DatasetRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise DatasetRejected(
            f"the image is too large to decode safely ({err})", where=where
        ) from None
    except UnidentifiedImageError:
        # Pillow's message names its in-memory buffer (<_io.BytesIO object at 0x…>), not the file.
        raise DatasetRejected(
            "not a readable image (not PNG, JPEG, GIF, BMP or another format Pillow reads)",
            where=where,
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError) as err:
        raise DatasetRejected(f"not a readable image ({err})", where=where) from None
    if w == 0 or h == 0:
        raise DatasetRejected("the image has no pixels", where=where)
    return im


def is_grayscale(im: Image.Image) -> bool:
    if im.mode in ("1", "L", "LA", "I", "I;16", "F"):
        return True
    if im.mode == "P":
        im = im.convert("RGB")
    if im.mode not in ("RGB", "RGBA"):
        im = im.convert("RGB")
    r, g, b = im.split()[:3]
    return r.tobytes() == g.tobytes() == b.tobytes()


def to_mode(im: Image.Image, channels: int) -> Image.Image:
    """Convert to "L" (1 channel) or "RGB" (3 channels), flattening alpha onto white."""
    if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im)
    if im.mode in ("I", "I;16", "F"):
        im = im.point(lambda v: v / 256).convert("L") if im.mode != "F" else im.convert("L")
    return im.convert("L" if channels == 1 else "RGB")
