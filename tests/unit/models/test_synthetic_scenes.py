"""engine.synthetic.make_scene: deterministic, non-overlapping shapes of distinct colours with exact masks."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from engine.synthetic import make_scene


def test_same_seed_same_scene_other_seed_other_scene():
    image_a, masks_a = make_scene(5)
    image_b, masks_b = make_scene(5)
    np.testing.assert_array_equal(image_a, image_b)
    assert all(np.array_equal(a, b) for a, b in zip(masks_a, masks_b, strict=False))
    assert not np.array_equal(image_a, make_scene(6)[0])


@pytest.mark.parametrize("seed", range(10))
def test_shapes_are_separate_coloured_and_masked_exactly(seed):
    image, masks = make_scene(seed, height=480, width=640, n_shapes=4)
    assert image.shape == (480, 640, 3) and image.dtype == np.uint8
    assert len(masks) == 4
    for mask in masks:
        assert mask.shape == (480, 640) and mask.dtype == bool and mask.sum() > 200
    for a, b in itertools.combinations(masks, 2):
        assert not np.any(a & b)
    means = [image[m].astype(float).mean(0) for m in masks]
    background = image[~np.logical_or.reduce(masks)].astype(float).mean(0)
    for a, b in itertools.combinations(means, 2):
        assert np.linalg.norm(a - b) > 50
    for mean in means:
        assert np.linalg.norm(mean - background) > 30
    # Textured background: clearly more than flat colour plus sensor noise, at a local scale.
    local = image.astype(np.float32) - cv2.blur(image.astype(np.float32), (15, 15))
    assert local[~np.logical_or.reduce(masks)].std() > 8


def test_other_sizes_and_counts():
    image, masks = make_scene(1, height=200, width=150, n_shapes=2)
    assert image.shape == (200, 150, 3) and len(masks) == 2
    assert make_scene(1, n_shapes=0)[1] == []


def test_impossible_requests_raise_value_error():
    with pytest.raises(ValueError):
        make_scene(0, height=16, width=16)
    with pytest.raises(ValueError):
        make_scene(0, height=64, width=64, n_shapes=40)
