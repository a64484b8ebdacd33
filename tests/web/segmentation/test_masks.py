"""The wire's mask encoding (nnweb.segmentation.masks): round trips, and its tie to COCO RLE."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from nnweb.datasets.importers.coco import decode_rle_string
from nnweb.segmentation.masks import BadMask, decode_mask, encode_mask


def _masks():
    rng = np.random.default_rng(7)
    yield np.zeros((3, 5), bool)
    yield np.ones((4, 2), bool)
    yield np.eye(4, dtype=bool)
    yield rng.random((17, 23)) > 0.5
    square = np.zeros((32, 40), bool)
    square[5:20, 8:30] = True
    yield square


@pytest.mark.parametrize("mask", list(_masks()), ids=lambda m: "x".join(map(str, m.shape)))
def test_round_trip(mask):
    rle = encode_mask(mask)
    assert rle["size"] == list(mask.shape) and sum(rle["counts"]) == mask.size
    assert np.array_equal(decode_mask(rle), mask)


def test_counts_start_with_zeros_row_major():
    m = np.array([[1, 1, 0, 0], [1, 1, 0, 0]], bool)
    assert encode_mask(m) == {"size": [2, 4], "counts": [0, 2, 2, 2, 2]}
    assert encode_mask(np.zeros((2, 2), bool))["counts"] == [4]


@pytest.mark.parametrize("mask", list(_masks()), ids=lambda m: "x".join(map(str, m.shape)))
def test_the_counts_are_coco_rle_of_the_transposed_mask(mask):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        coco = mask_utils.encode(np.asfortranarray(mask.T.astype(np.uint8)))
    assert decode_rle_string(coco["counts"].decode("ascii")) == encode_mask(mask)["counts"]


@pytest.mark.parametrize("counts", [[1, 1], [2, 2, 2], [5, -1, 0]])
def test_runs_that_do_not_cover_the_mask_are_refused(counts):
    with pytest.raises(BadMask, match="expected 2 x 2"):
        decode_mask({"size": [2, 2], "counts": counts})
