"""The shape-image generator and its COCO annotations."""

import numpy as np
import pytest

from engine.detection.shapes import CLASSES, generate, make_dataset, shape_mask, to_coco


def test_same_seed_same_images_other_seed_other_images():
    a, ta = generate(5, seed=3)
    b, tb = generate(5, seed=3)
    c, _ = generate(5, seed=4)
    assert a.dtype == np.uint8 and a.shape == (5, 128, 128, 3)
    np.testing.assert_array_equal(a, b)
    assert [len(t) for t in ta] == [len(t) for t in tb]
    assert not np.array_equal(a, c)


def test_instances_counts_sizes_and_visibility():
    images, targets = generate(60, seed=11)
    counts = [len(t) for t in targets]
    assert min(counts) >= 1 and max(counts) <= 4
    assert len(set(counts)) >= 3
    occluded = 0
    for img, inst in zip(images, targets):
        union = np.zeros((128, 128), dtype=np.int64)
        for obj in inst:
            assert obj.label in (1, 2, 3)
            assert obj.mask.dtype == bool and obj.mask.any()
            x1, y1, x2, y2 = obj.box
            ys, xs = np.nonzero(obj.mask)
            assert (x1, y1, x2, y2) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
            assert 10 <= max(x2 - x1, y2 - y1) <= 66
            union += obj.mask
            # a visible pixel shows the object's single colour
            colours = img[obj.mask]
            assert (colours == colours[0]).all()
        assert union.max() <= 1  # visible masks never overlap
        for i in range(len(inst)):
            for j in range(i + 1, len(inst)):
                lo = np.maximum(inst[i].box[:2], inst[j].box[:2])
                hi = np.minimum(inst[i].box[2:], inst[j].box[2:])
                occluded += bool(np.all(hi > lo))
    assert occluded > 0


def test_shape_masks_are_the_named_shapes():
    sq = shape_mask(1, 50.0, 50.0, 20.0, 128, 128)
    circ = shape_mask(2, 50.0, 50.0, 20.0, 128, 128)
    tri = shape_mask(3, 50.0, 50.0, 20.0, 128, 128)
    assert sq.sum() == 400
    assert abs(circ.sum() - np.pi * 100) < 15
    assert abs(tri.sum() - 20 * 20 * np.sqrt(3) / 4) < 15
    with pytest.raises(ValueError, match="unknown label"):
        shape_mask(7, 1, 1, 1, 8, 8)


def test_coco_annotations_load_in_pycocotools():
    from pycocotools import mask as mask_utils
    from pycocotools.coco import COCO

    images, targets = generate(6, seed=2)
    gt = to_coco(targets)
    assert [c["name"] for c in gt["categories"]] == CLASSES[1:]
    coco = COCO()
    coco.dataset = gt
    coco.createIndex()
    assert len(coco.getImgIds()) == 6
    n = 0
    for i, inst in enumerate(targets):
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[i + 1]))
        assert len(anns) == len(inst)
        for ann, obj in zip(anns, inst):
            np.testing.assert_array_equal(coco.annToMask(ann).astype(bool), obj.mask)
            assert ann["area"] == obj.mask.sum() == mask_utils.area(ann["segmentation"])
            assert ann["iscrowd"] == 0 and ann["category_id"] == obj.label
            n += 1
    assert n == len(gt["annotations"])
    imgs2, gt2 = make_dataset(6, seed=2)
    np.testing.assert_array_equal(imgs2, images)
    assert gt2 == gt
