"""The simulator's two generated domains: plain (flat shapes on one colour, apart) and hard (textured,
occluding objects with holes and thin parts), checked on their images and masks."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine.domains import hard_scene, plain_scene


def _holes(mask: np.ndarray) -> int:
    """Enclosed background regions of a mask (contours with a parent in the two-level hierarchy)."""
    _, hierarchy = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    return 0 if hierarchy is None else int((hierarchy[0][:, 3] >= 0).sum())


def _thinnest_part(mask: np.ndarray) -> bool:
    """Whether an opening with a 5x5 square removes pixels that stick out (a part under 5 px wide)."""
    opened = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)).astype(bool)
    return int((mask & ~opened).sum()) >= 15


def test_plain_scenes_are_flat_shapes_apart_on_one_colour():
    image, masks = plain_scene(3, 96, 96, 3)
    assert image.shape == (96, 96, 3) and image.dtype == np.uint8 and len(masks) == 3
    union = np.any(masks, axis=0)
    assert len(np.unique(image[~union].reshape(-1, 3), axis=0)) == 1  # one background colour
    for mask in masks:
        assert len(np.unique(image[mask].reshape(-1, 3), axis=0)) == 1  # each shape one colour
    grown = [cv2.dilate(m.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) for m in masks]
    assert not (grown[0] & masks[1]).any() and not (grown[1] & masks[2]).any()
    again, masks_again = plain_scene(3, 96, 96, 3)
    assert np.array_equal(image, again) and all(np.array_equal(a, b) for a, b in zip(masks, masks_again, strict=True))


def test_hard_scenes_have_occlusion_holes_thin_parts_and_texture():
    scenes = [hard_scene(seed, 128, 128, 4) for seed in range(12)]
    occluded = holes = thin = 0
    for image, masks in scenes:
        assert len(masks) == 4 and all(m.sum() >= 40 for m in masks)
        total = np.sum(masks, axis=0)
        assert total.max() <= 1  # visible parts do not overlap
        # an occluded object: its convex hull is covered in part by a later object
        for index, mask in enumerate(masks[:-1]):
            hull = cv2.convexHull(cv2.findNonZero(mask.astype(np.uint8)))
            filled = np.zeros(mask.shape, np.uint8)
            cv2.fillConvexPoly(filled, hull, 1)
            later = np.any(masks[index + 1 :], axis=0)
            occluded += int((filled.astype(bool) & later).sum() > 0.05 * mask.sum())
        holes += sum(_holes(m) > 0 for m in masks)
        thin += sum(_thinnest_part(m) for m in masks)
        # a textured object: more than one colour cluster inside (stripes or checks)
        spread = max(float(image[m].std(axis=0).max()) for m in masks)
        assert spread > 10.0
    assert occluded >= 6 and holes >= 6 and thin >= 6, (occluded, holes, thin)


def test_plain_scenes_fit_on_small_canvases():
    # The simulator's --image-size 64: every seed places its shapes (a gap of 1 px instead of 3).
    for seed in range(40):
        image, masks = plain_scene(seed, 64, 64, 2)
        assert image.shape == (64, 64, 3) and len(masks) == 2 and not (masks[0] & masks[1]).any()


def test_domains_refuse_impossible_requests():
    with pytest.raises(ValueError):
        hard_scene(0, 16, 16, 2)
    with pytest.raises(ValueError):
        plain_scene(0, 64, 64, 0)
