"""The one image decoder (nnweb.datasets.images): its limits, and that it leaves Pillow alone."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from nnweb.datasets.images import ImageUnreadable, decode_image
from nnweb.datasets.importers import DatasetRejected
from nnweb.datasets.importers.images import open_image
from nnweb.datasets.limits import Limits


def png(w: int = 8, h: int = 6) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((h, w, 3), 200, np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def png_header_only(w: int, h: int) -> bytes:
    """A PNG whose IHDR declares w x h pixels, with a tiny (truncated) IDAT."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 16)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_good_image_is_decoded_in_full():
    img = decode_image(png(8, 6), "a.png", max_pixels=48)
    assert img.size == (8, 6) and img.mode == "RGB"
    assert np.asarray(img)[0, 0].tolist() == [200, 200, 200]


def test_more_pixels_than_the_limit_are_refused_before_decoding():
    with pytest.raises(ImageUnreadable) as err:
        decode_image(png(8, 6), "cats/big.png", max_pixels=47)
    assert str(err.value) == "cats/big.png: the image is 8 x 6 = 48 pixels; the limit is 47 pixels"


def test_a_side_over_the_limit_is_refused():
    with pytest.raises(ImageUnreadable, match=r"^up\.png: .*9 x 2 .*limit is 8 x 8 pixels"):
        decode_image(png(9, 2), "up.png", max_pixels=10**6, max_side=8)


def test_a_declared_bomb_is_refused_by_name():
    with pytest.raises(ImageUnreadable, match=r"^bomb\.png: refused as a possible decompression"):
        decode_image(png_header_only(20000, 20000), "bomb.png", max_pixels=4096 * 4096)


def test_a_truncated_file_is_refused_by_name():
    data = png(64, 64)
    with pytest.raises(ImageUnreadable, match=r"^half\.png: not a readable image.*decoded"):
        decode_image(data[: len(data) // 2], "half.png", max_pixels=10**6)


def test_not_an_image_is_refused_by_name_not_by_buffer():
    with pytest.raises(ImageUnreadable) as err:
        decode_image(b"name,value\n1,2\n", "notes.csv", max_pixels=10**6)
    assert str(err.value).startswith("notes.csv: not a readable image")
    assert "BytesIO" not in str(err.value)


def test_formats_restrict_what_is_tried():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, format="BMP")
    with pytest.raises(ImageUnreadable, match="could not be decoded as PNG"):
        decode_image(buf.getvalue(), "x.bmp", max_pixels=100, formats=["PNG"])


def test_pillows_global_limit_is_left_as_it_was():
    before = Image.MAX_IMAGE_PIXELS
    decode_image(png(), "a.png", max_pixels=50)
    with pytest.raises(ImageUnreadable):
        decode_image(png(), "a.png", max_pixels=5)
    assert Image.MAX_IMAGE_PIXELS == before


def test_the_importers_decode_through_it_and_leave_pillow_alone():
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(DatasetRejected) as err:
        open_image(png(8, 6), "file 'b/huge.png'", Limits(max_image_pixels=47))
    assert str(err.value) == (
        "file 'b/huge.png': the image is 8 x 6 = 48 pixels; the limit is 47 pixels"
    )
    assert Image.MAX_IMAGE_PIXELS == before
