"""Decoding untrusted images: the one decoder every upload goes through.

Dataset archives (image folders, COCO) and the segmentation demo's uploads are decoded here.
The declared size is checked against the caller's limit before a pixel is decoded, and
Pillow's own decompression-bomb guard is kept on as errors (its warning included) without
changing Pillow's process-wide ``MAX_IMAGE_PIXELS``: the limit is an argument, so two callers
with two limits never see each other's. Nothing here touches Django.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

from PIL import Image, UnidentifiedImageError

ANY_FORMAT = "PNG, JPEG, GIF, BMP or another format Pillow reads"


class ImageUnreadable(ValueError):
    """An image that cannot be used; ``str(err)`` is "<name>: <detail>" (shown to the user)."""

    def __init__(self, name: str, detail: str):
        self.name = name
        self.detail = detail
        super().__init__(f"{name}: {detail}")


def decode_image(
    data: bytes,
    name: str,
    *,
    max_pixels: int,
    max_side: int | None = None,
    formats: Sequence[str] | None = None,
) -> Image.Image:
    """Decode ``data`` fully (in its own mode); refuse what is unreadable or too large.

    ``max_pixels`` bounds width x height, ``max_side`` (if given) each side; ``formats``
    (Pillow names, e.g. ``["PNG"]``) restricts what is tried. Raises :class:`ImageUnreadable`
    naming ``name``: a file that is not an image, a truncated one, one over the limits, or one
    Pillow refuses as a decompression bomb.
    """
    what = " or ".join(formats) if formats else ANY_FORMAT
    limit = f"{max_side} x {max_side} pixels" if max_side else f"{max_pixels} pixels"
    try:
        with warnings.catch_warnings():
            # Pillow warns above its MAX_IMAGE_PIXELS and raises above twice that: refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=list(formats) if formats else None)
            w, h = img.size
            if w < 1 or h < 1:
                raise ImageUnreadable(name, f"the image has no pixels ({w} x {h})")
            if w * h > max_pixels or (max_side and max(w, h) > max_side):
                raise ImageUnreadable(
                    name, f"the image is {w} x {h} = {w * h} pixels; the limit is {limit}"
                )
            img.load()
    except ImageUnreadable:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageUnreadable(
            name,
            "refused as a possible decompression bomb (it declares more pixels than the "
            f"{limit} limit)",
        ) from None
    except UnidentifiedImageError:
        # Pillow's message names its in-memory buffer (<_io.BytesIO object at 0x…>), not the file.
        raise ImageUnreadable(
            name, f"not a readable image: its data could not be decoded as {what}"
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError) as err:
        raise ImageUnreadable(
            name, f"not a readable image: its data could not be decoded ({err})"
        ) from None
    return img


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
