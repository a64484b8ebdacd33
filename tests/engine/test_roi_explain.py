"""explain_roi: the notes' 17x17 and 18x18 -> 7x7 examples, and consistency with the ops."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.detection import explain_roi, roi_align, roi_pool


def test_17x17_to_7x7_notes_stride_drops_cells_fast_rcnn_shares_them():
    e = explain_roi([0, 0, 16, 16], 7, "roi_pool")  # end cell included: 17 x 17 cells
    assert e["roi_size"] == [17, 17]
    # the notes: stride 17/7 = 2.43 quantised to 2 -> the last 3 rows/cols are lost
    q = e["quantised_stride"]
    assert q["stride_exact"] == [pytest.approx(17 / 7)] * 2
    assert q["stride"] == [2, 2]
    assert q["rows"] == [[2 * i, 2 * i + 2] for i in range(7)]
    assert q["dropped_rows"] == q["dropped_cols"] == [14, 15, 16]
    assert q["dropped"] == 17 * 17 - 14 * 14 == 93
    assert q["outside"] == 0
    # Fast R-CNN floor/ceil bins: nothing dropped, 6 rows and 6 cols shared by two bins
    assert e["rows"] == [[0, 3], [2, 5], [4, 8], [7, 10], [9, 13], [12, 15], [14, 17]]
    assert e["dropped"] == []
    assert e["summary"]["shared_rows"] == [2, 4, 7, 9, 12, 14]
    assert e["summary"]["shared"] == 17 * 17 - 11 * 11 == 168
    assert e["summary"]["bins_per_cell"] == {"1": 121, "2": 132, "4": 36}
    assert [2, 4, 4] in e["shared"] and [2, 3, 2] in e["shared"]


def test_18x18_to_7x7_notes_stride_misaligns_fast_rcnn_shares():
    e = explain_roi([0, 0, 17, 17], 7, "roi_pool")
    assert e["roi_size"] == [18, 18]
    # the notes: 18/7 = 2.57 quantised to 3 -> 21 cells per side, 3 past the RoI
    q = e["quantised_stride"]
    assert q["stride"] == [3, 3]
    assert q["dropped"] == 0
    assert q["outside_rows"] == q["outside_cols"] == [18, 19, 20]
    assert q["outside"] == 21 * 21 - 18 * 18 == 117
    assert q["edge_error"] == [pytest.approx(3.0)] * 2
    assert e["rows"] == [[0, 3], [2, 6], [5, 8], [7, 11], [10, 13], [12, 16], [15, 18]]
    assert e["dropped"] == []
    assert e["summary"]["shared_rows"] == [2, 5, 7, 10, 12, 15]
    assert e["summary"]["shared"] == 18 * 18 - 12 * 12 == 180
    assert e["summary"]["bins_per_cell"] == {"1": 144, "2": 144, "4": 36}


def test_pool_bin_values_match_roi_pool_and_json():
    rng = np.random.default_rng(0)
    feat = rng.standard_normal((12, 14))
    roi = [1.4, 2.6, 11.2, 9.5]
    e = explain_roi(roi, (3, 4), "roi_pool", feature=feat)
    json.dumps(e)
    out = roi_pool(feat[None, None], [roi], [0], (3, 4))[0, 0]
    for b in e["bins"]:
        assert b["value"] == pytest.approx(out[b["row"], b["col"]])
        y0, y1 = b["y"]
        x0, x1 = b["x"]
        assert feat[tuple(b["argmax"])] == feat[y0:y1, x0:x1].max()


@pytest.mark.parametrize("aligned", [True, False])
@pytest.mark.parametrize("mode", ["avg", "max"])
def test_align_points_and_weights_reproduce_roi_align(aligned, mode):
    rng = np.random.default_rng(1)
    feat = rng.standard_normal((9, 10))
    roi = [0.8, 1.3, 8.9, 7.1]
    e = explain_roi(roi, (2, 3), "roi_align", feature=feat, aligned=aligned, mode=mode)
    json.dumps(e)
    out = roi_align(feat[None, None], [roi], [0], (2, 3), aligned=aligned, mode=mode)[0, 0]
    gh, gw = e["grid"]
    assert (gh, gw) == (int(np.ceil(e["roi_size"][0] / 2)), int(np.ceil(e["roi_size"][1] / 3)))
    for b in e["bins"]:
        assert len(b["points"]) == gh * gw
        vals = []
        for pt in b["points"]:
            assert b["y"][0] <= pt["y"] <= b["y"][1] and b["x"][0] <= pt["x"] <= b["x"][1]
            assert sum(n["weight"] for n in pt["neighbours"]) == pytest.approx(1.0)
            vals.append(sum(n["weight"] * feat[n["y"], n["x"]] for n in pt["neighbours"]))
        expect = np.mean(vals) if mode == "avg" else np.max(vals)
        assert expect == pytest.approx(out[b["row"], b["col"]])
        assert b["value"] == pytest.approx(out[b["row"], b["col"]])


def test_align_17x17_bins_are_not_quantised():
    e = explain_roi([0, 0, 17, 17], 7, "roi_align", sampling_ratio=2)
    assert e["bin_size"] == [pytest.approx(17 / 7)] * 2
    assert e["grid"] == [2, 2]
    edges = [b["x"][0] for b in e["bins"][:7]] + [e["bins"][6]["x"][1]]
    assert edges == pytest.approx([-0.5 + i * 17 / 7 for i in range(8)])


def test_points_far_outside_have_no_neighbours_and_errors():
    e = explain_roi([-8, -8, 2, 2], 1, "roi_align", feature_size=(4, 4), sampling_ratio=2)
    assert [p["inside"] for p in e["bins"][0]["points"]] == [False, False, False, True]
    assert e["bins"][0]["points"][0]["neighbours"] == []
    with pytest.raises(ValueError, match="method"):
        explain_roi([0, 0, 1, 1], 2, "roi_max")
    with pytest.raises(ValueError, match="roi must be 4"):
        explain_roi([0, 0, 1], 2)
    with pytest.raises(ValueError, match="too many"):
        explain_roi([0, 0, 5000, 5000], 7)
