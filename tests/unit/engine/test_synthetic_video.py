"""Generated videos for the video simulation: deterministic per seed, masks that are the visible
parts of moving objects, and occlusion in the hard domain."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine.synthetic_video import make_video, make_videos


def _centroid(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


def _aligned_iou(first: np.ndarray, later: np.ndarray) -> float:
    """IoU of two masks once their centroids are made to meet: 1 for a shape that only translates."""
    if not later.any():
        return 0.0
    dx, dy = np.round(_centroid(first) - _centroid(later)).astype(int)
    moved = np.roll(later, (dy, dx), axis=(0, 1))
    return float((first & moved).sum() / (first | moved).sum())


@pytest.mark.parametrize("domain", ["plain", "hard"])
def test_videos_are_deterministic_per_seed_and_objects_move(domain):
    video = make_video(4, domain=domain, num_frames=12, size=96, n_objects=3)
    assert video.frames.shape == (12, 96, 96, 3) and video.frames.dtype == np.uint8
    assert video.masks.shape == (3, 12, 96, 96) and video.masks.dtype == bool
    again = make_video(4, domain=domain, num_frames=12, size=96, n_objects=3)
    assert again.key == video.key and np.array_equal(again.masks, video.masks)
    assert make_video(5, domain=domain, num_frames=12, size=96, n_objects=3).key != video.key
    for k in range(3):
        assert video.masks[k, 0].sum() >= 60  # clearly visible where annotators start
        travelled = np.linalg.norm(_centroid(video.masks[k, -1]) - _centroid(video.masks[k, 0]))
        assert travelled >= 2.0, (domain, k)
    # visible parts never overlap: each pixel belongs to one object at most
    assert video.masks.sum(axis=0).max() <= 1


def test_plain_videos_are_flat_colours_on_one_background():
    video = make_video(1, domain="plain", num_frames=6, size=96, n_objects=2)
    for t in range(6):
        union = video.masks[:, t].any(axis=0)
        assert len(np.unique(video.frames[t][~union].reshape(-1, 3), axis=0)) == 1
        for k in range(2):
            assert len(np.unique(video.frames[t][video.masks[k, t]].reshape(-1, 3), axis=0)) == 1


def test_hard_videos_deform_and_occlude():
    videos = make_videos(8, seed=0, domain="hard", num_frames=24, size=128, n_objects=2)
    occluded = deformed = 0
    for video in videos:
        # the last object is never occluded: a change of shape beyond translation is rotation or stretch
        deformed += int(min(_aligned_iou(video.masks[-1, 0], video.masks[-1, t]) for t in range(24)) < 0.8)
        # the objects' visible parts touch on some frame: one passes in front of the other
        grown = np.stack([cv2.dilate(m.astype(np.uint8), np.ones((3, 3), np.uint8)) for m in video.masks[0]]).astype(
            bool
        )
        occluded += int((grown & video.masks[1]).any())
    assert deformed >= 6 and occluded >= 2, (deformed, occluded)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="domain"):
        make_video(0, domain="noisy")
    with pytest.raises(ValueError, match="size"):
        make_video(0, size=16)
