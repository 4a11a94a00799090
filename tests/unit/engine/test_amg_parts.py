"""The pieces of engine.amg against segment-anything's own helpers (utils/amg.py) and torchvision:
point grids, crop boxes, mask boxes, the crop-edge test, box NMS, small-region removal, settings."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision
from segment_anything.utils import amg as sam_amg

from engine.amg import AmgSettings
from engine.amg.boxes import box_nms, mask_boxes, near_crop_edge, xyxy_to_xywh
from engine.amg.grid import crop_boxes, layer_point_grids, point_grid
from engine.amg.regions import remove_small_regions


@pytest.mark.parametrize("n_per_side, n_layers, factor", [(32, 0, 1), (7, 2, 2), (16, 3, 1)])
def test_point_grids_equal_sam(n_per_side, n_layers, factor):
    ours = layer_point_grids(n_per_side, n_layers, factor)
    theirs = sam_amg.build_all_layer_point_grids(n_per_side, n_layers, factor)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=False):
        np.testing.assert_array_equal(a, b)


def test_point_grid_rejects_empty_layers():
    with pytest.raises(ValueError, match="at least 1"):
        point_grid(0)
    with pytest.raises(ValueError, match="no points"):
        layer_point_grids(4, 3, 2)


@pytest.mark.parametrize(
    "size, n_layers, overlap", [((120, 160), 1, 512 / 1500), ((1500, 2250), 2, 512 / 1500), ((37, 301), 3, 0.2)]
)
def test_crop_boxes_equal_sam(size, n_layers, overlap):
    boxes, layers = sam_amg.generate_crop_boxes(size, n_layers, overlap)
    ours = crop_boxes(size, n_layers, overlap)
    assert [list(c.box) for c in ours] == boxes and [c.layer for c in ours] == layers
    assert ours[1].xywh == sam_amg.box_xyxy_to_xywh(torch.tensor(boxes[1])).tolist()


def test_mask_boxes_equal_sam():
    rng = np.random.default_rng(0)
    masks = np.zeros((6, 30, 40), dtype=bool)
    masks[0, 3:9, 5:7] = True
    masks[1, 29, 39] = True
    masks[2] = rng.random((30, 40)) > 0.97
    masks[3, :, 0] = True  # masks[4] stays empty
    masks[5] = True
    expected = sam_amg.batched_mask_to_box(torch.as_tensor(masks)).numpy()
    np.testing.assert_array_equal(mask_boxes(masks), expected)
    assert mask_boxes(np.zeros((0, 5, 5), bool)).shape == (0, 4)
    assert xyxy_to_xywh([5, 3, 6, 8]) == [5.0, 3.0, 1.0, 5.0]


def test_near_crop_edge_equals_sam():
    rng = np.random.default_rng(1)
    xy = rng.integers(0, 300, size=(200, 2))
    boxes = np.concatenate([xy, xy + rng.integers(0, 200, size=(200, 2))], axis=1)
    crop = [100, 50, 400, 300]
    # SAM takes boxes in the crop's frame and uncrops them; ours are in image pixels already.
    in_crop = torch.as_tensor(boxes - np.array([100, 50, 100, 50]))
    expected = sam_amg.is_box_near_crop_edge(in_crop, crop, [0, 0, 400, 480]).numpy()
    np.testing.assert_array_equal(near_crop_edge(boxes, tuple(crop), (480, 400)), expected)
    assert expected.any() and not expected.all()


@pytest.mark.parametrize("seed", range(5))
def test_box_nms_equals_torchvision(seed):
    rng = np.random.default_rng(seed)
    n = 300
    xy = rng.integers(0, 100, size=(n, 2))
    boxes = np.concatenate([xy, xy + rng.integers(0, 60, size=(n, 2))], axis=1).astype(np.float32)
    scores = rng.integers(0, 4, size=n).astype(np.float32)  # many ties: input order must break them
    for threshold in (0.3, 0.7, 1.0):
        expected = torchvision.ops.nms(torch.as_tensor(boxes), torch.as_tensor(scores), threshold).numpy()
        np.testing.assert_array_equal(box_nms(boxes, scores, threshold), expected)
    assert box_nms(np.zeros((0, 4)), np.zeros(0), 0.7).shape == (0,)
    with pytest.raises(ValueError, match="Nx4"):
        box_nms(np.zeros((3, 3)), np.zeros(3), 0.7)


@pytest.mark.parametrize("mode", ["holes", "islands"])
def test_remove_small_regions_equals_sam(mode):
    rng = np.random.default_rng(2)
    mask = np.zeros((60, 80), dtype=bool)
    mask[5:40, 5:50] = True
    mask[10:13, 10:13] = False  # a small hole
    mask[20:35, 20:35] = False  # a large hole
    mask[50:52, 60:62] = True  # a small island
    mask |= rng.random(mask.shape) > 0.995  # speckle
    for min_area in (5, 30, 300):
        ours, changed = remove_small_regions(mask, min_area, mode)
        theirs, their_changed = sam_amg.remove_small_regions(mask, min_area, mode)
        np.testing.assert_array_equal(ours, theirs)
        assert changed == their_changed
    only_small = np.zeros((20, 20), dtype=bool)
    only_small[2:4, 2:4] = only_small[10:13, 10:13] = True
    kept, _ = remove_small_regions(only_small, 100, "islands")  # all small: the largest stays
    assert kept.sum() == 9
    with pytest.raises(ValueError, match="mode"):
        remove_small_regions(mask, 5, "specks")


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(points_per_side=None), "exactly one"),
        (dict(point_grids=(np.zeros((4, 2)),)), "exactly one"),
        (dict(points_per_side=0), "points_per_side"),
        (dict(points_per_batch=0), "points_per_batch"),
        (dict(stability_score_thresh=1.5), "stability_score_thresh"),
        (dict(box_nms_thresh=-0.1), "box_nms_thresh"),
        (dict(crop_n_layers=-1), "crop_n_layers"),
        (dict(crop_overlap_ratio=1.0), "crop_overlap_ratio"),
        (dict(crop_n_layers=3, crop_n_points_downscale_factor=4, points_per_side=8), "no points"),
        (dict(max_mask_fraction=0.0), "max_mask_fraction"),
        (dict(points_per_side=None, point_grids=(np.full((3, 2), 2.0),)), "in \\[0, 1\\]"),
        (dict(points_per_side=None, point_grids=(np.zeros((3, 2)),), crop_n_layers=1), "one grid per crop layer"),
    ],
)
def test_settings_reject_bad_values(overrides, message):
    with pytest.raises(ValueError, match=message):
        AmgSettings(**overrides)


def test_settings_defaults_are_sams():
    settings = AmgSettings()
    assert (settings.points_per_side, settings.points_per_batch, settings.pred_iou_thresh) == (32, 64, 0.88)
    assert (settings.stability_score_thresh, settings.stability_score_offset) == (0.95, 1.0)
    assert (settings.box_nms_thresh, settings.crop_nms_thresh, settings.crop_n_layers) == (0.7, 0.7, 0)
    assert settings.max_mask_fraction == 0.95 and settings.min_mask_region_area == 0
    explicit = AmgSettings(points_per_side=None, point_grids=(point_grid(3),))
    np.testing.assert_array_equal(explicit.grids()[0], point_grid(3))
