"""Video object segmentation figures as the SA-V / DAVIS evaluators compute them: J (region IoU),
F (boundary F-measure with tolerance ceil(0.008 * diagonal)) and J&F, per object over its frames.
Values are fractions in [0, 1] (the official scripts print them times 100)."""

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
    """One object's scores over its evaluated frames."""

    j: float
    f: float

    @property
    def j_and_f(self) -> float:
        return (self.j + self.f) / 2


def masklet_j_and_f(
    gt_frames: Sequence[np.ndarray],
    dt_frames: Sequence[np.ndarray],
    skip_first_and_last: bool = True,
    tolerance: float = DEFAULT_BOUNDARY_TOLERANCE,
) -> JAndF:
    """J and F of one object over its annotated frames.

    Args:
        gt_frames, dt_frames: the object's HxW bool masks on the same annotated frames, in order
            (absent = all False).
        skip_first_and_last: drop the first and last annotated frames, as the official SA-V val /
            test evaluation does (the first is the prompt frame).
        tolerance: F's boundary tolerance as a fraction of the diagonal.
    Raises:
        MetricError: frame counts differ or no frame is left to evaluate.
    """
    if len(gt_frames) != len(dt_frames):
        raise MetricError(f"{len(gt_frames)} ground-truth frames but {len(dt_frames)} predicted")
    pairs = list(zip(gt_frames, dt_frames, strict=False))
    if skip_first_and_last:
        pairs = pairs[1:-1]
    if not pairs:
        raise MetricError("no frame left to evaluate (skipping first and last needs 3 frames)")
    j_values, f_values = [], []
    for gt, dt in pairs:
        j_values.append(mask_iou(gt, dt))
        f_values.append(boundary_f_measure(gt, dt, tolerance))
    return JAndF(j=float(np.mean(j_values)), f=float(np.mean(f_values)))
