"""Video object segmentation figures as sam2's SA-V evaluator (`sav_dataset/utils/sav_benchmark.py`)
computes them: J (region IoU), F (boundary F-measure with tolerance ceil(0.008 * diagonal)) and
J&F, per object over its annotated frames, then averaged over objects.

The official rules, all kept here (docs/formats.md walks through them):
- the first and last annotated frames are skipped (SA-V val / test, DAVIS semi-supervised);
- an object counts from the first remaining frame where it appears in the ground truth OR the
  prediction; frames before that are not scored (so a false positive before the object appears
  counts, and empty/empty frames before either appears do not);
- from then on every frame counts, an empty/empty frame scoring J = F = 1;
- an object that never appears in the ground truth on the remaining frames has no score (the
  official consolidation stops with an AssertionError there; here it is reported as None).
Values are fractions in [0, 1]; the official script prints them times 100 to one decimal."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from engine.metrics.masks import MetricError, check_mask_pair, mask_iou

DEFAULT_BOUNDARY_TOLERANCE = 0.008


def boundary_map(mask: np.ndarray) -> np.ndarray:
    """One-pixel-wide boundary of a mask (DAVIS `seg2bmap` at full size): pixels whose right, lower
    or lower-right neighbour differs, the last row and column compared along the edge only."""
    east = np.zeros_like(mask)
    south = np.zeros_like(mask)
    south_east = np.zeros_like(mask)
    east[:, :-1] = mask[:, 1:]
    south[:-1, :] = mask[1:, :]
    south_east[:-1, :-1] = mask[1:, 1:]
    edges = (mask ^ east) | (mask ^ south) | (mask ^ south_east)
    edges[-1, :] = mask[-1, :] ^ east[-1, :]
    edges[:, -1] = mask[:, -1] ^ south[:, -1]
    edges[-1, -1] = False
    return edges


def _disk(radius: int) -> np.ndarray:
    """Structuring element of the pixels within `radius` of the centre (skimage `disk`)."""
    offsets = np.arange(-radius, radius + 1)
    return (offsets[:, None] ** 2 + offsets[None, :] ** 2 <= radius**2).astype(np.uint8)


def boundary_f_measure(gt: np.ndarray, dt: np.ndarray, tolerance: float = DEFAULT_BOUNDARY_TOLERANCE) -> float:
    """F-measure of boundary precision and recall, a boundary pixel matching when the other boundary
    lies within ceil(tolerance * image diagonal) pixels (a disk). No boundary on either side scores
    1.0; a boundary on one side only scores 0.0.

    Args:
        gt, dt: HxW bool masks of one object on one frame.
        tolerance: as a fraction of the image diagonal.
    """
    gt_mask, dt_mask = check_mask_pair(gt, dt)
    radius = math.ceil(tolerance * float(np.hypot(*gt_mask.shape)))
    gt_edges, dt_edges = boundary_map(gt_mask), boundary_map(dt_mask)
    n_gt, n_dt = int(gt_edges.sum()), int(dt_edges.sum())
    if n_gt == 0 and n_dt == 0:
        return 1.0
    if n_gt == 0 or n_dt == 0:
        return 0.0  # precision or recall is 0, the other 1
    disk = _disk(radius)
    gt_near = cv2.dilate(gt_edges.astype(np.uint8), disk).astype(bool)
    dt_near = cv2.dilate(dt_edges.astype(np.uint8), disk).astype(bool)
    precision = int(np.count_nonzero(dt_edges & gt_near)) / n_dt
    recall = int(np.count_nonzero(gt_edges & dt_near)) / n_gt
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class JAndF:
    """One object's scores over the frames that counted."""

    j: float
    f: float
    frames: int

    @property
    def j_and_f(self) -> float:
        return (self.j + self.f) / 2


class ObjectScores:
    """Accumulates one object's per-frame J and F, frame by frame, with the official counting rule;
    frames can be fed one at a time so a long video never needs all its masks in memory."""

    def __init__(self, tolerance: float = DEFAULT_BOUNDARY_TOLERANCE, from_first_appearance: bool = True) -> None:
        self.tolerance = tolerance
        self.from_first_appearance = from_first_appearance
        self.seen_in_gt = False
        self._started = not from_first_appearance
        self._j: list[float] = []
        self._f: list[float] = []

    def feed(self, gt: np.ndarray, dt: np.ndarray) -> None:
        gt_mask, dt_mask = check_mask_pair(gt, dt)
        gt_present = bool(gt_mask.any())
        self.seen_in_gt = self.seen_in_gt or gt_present
        self._started = self._started or gt_present or bool(dt_mask.any())
        if not self._started:
            return
        self._j.append(mask_iou(gt_mask, dt_mask))
        self._f.append(boundary_f_measure(gt_mask, dt_mask, self.tolerance))

    def result(self) -> JAndF | None:
        """The object's J and F; None when it never appeared in the ground truth (with
        from_first_appearance) or no frame was fed."""
        if not self._j or (self.from_first_appearance and not self.seen_in_gt):
            return None
        return JAndF(j=float(np.mean(self._j)), f=float(np.mean(self._f)), frames=len(self._j))


def masklet_j_and_f(
    gt_frames: Sequence[np.ndarray],
    dt_frames: Sequence[np.ndarray],
    skip_first_and_last: bool = True,
    tolerance: float = DEFAULT_BOUNDARY_TOLERANCE,
    from_first_appearance: bool = True,
) -> JAndF | None:
    """J and F of one object over its annotated frames, as sav_benchmark scores it.

    Args:
        gt_frames, dt_frames: the object's HxW bool masks on every annotated frame of the video, in
            order (absent = all False).
        skip_first_and_last: drop the first and last annotated frames, as the official SA-V val /
            test evaluation does (the first is the prompt frame).
        tolerance: F's boundary tolerance as a fraction of the diagonal.
        from_first_appearance: the official rule (see the module docstring). False departs from
            it: every remaining frame counts and an object absent from both scores 1.0.
    Returns:
        JAndF, or None when the object never appears in the ground truth on the remaining frames.
    Raises:
        MetricError: frame counts differ or no frame is left to evaluate.
    """
    if len(gt_frames) != len(dt_frames):
        raise MetricError(f"{len(gt_frames)} ground-truth frames but {len(dt_frames)} predicted")
    pairs = list(zip(gt_frames, dt_frames, strict=True))
    if skip_first_and_last:
        pairs = pairs[1:-1]
    if not pairs:
        raise MetricError("no frame left to evaluate (skipping first and last needs 3 frames)")
    scores = ObjectScores(tolerance, from_first_appearance)
    for gt, dt in pairs:
        scores.feed(gt, dt)
    return scores.result()
