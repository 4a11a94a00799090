"""Per-mask quality measures on dense masks: IoU, Boundary IoU (Cheng et al. 2021) and SAM's
stability score. Masks are HxW bool arrays, rows first."""

from __future__ import annotations

import cv2
import numpy as np


class MetricError(ValueError):
    """Inputs to a metric are malformed (wrong shape, dtype or count)."""


def as_mask(mask: object, name: str) -> np.ndarray:
    """`mask` as an HxW bool array (0/1 integers accepted); MetricError naming `name` otherwise."""
    array = np.asarray(mask)
    if array.ndim != 2:
        raise MetricError(f"{name} must be an HxW mask, got shape {array.shape}")
    if array.dtype != bool:
        if not np.issubdtype(array.dtype, np.integer) or (array.size and (array.min() < 0 or array.max() > 1)):
            raise MetricError(f"{name} must be bool (or 0/1 integers), got dtype {array.dtype}")
        array = array.astype(bool)
    return array


def check_mask_pair(gt: object, dt: object) -> tuple[np.ndarray, np.ndarray]:
    """Both masks as HxW bool arrays of one shape; MetricError otherwise."""
    gt_mask, dt_mask = as_mask(gt, "gt"), as_mask(dt, "dt")
    if gt_mask.shape != dt_mask.shape:
        raise MetricError(f"mask shapes differ: {gt_mask.shape} vs {dt_mask.shape}")
    return gt_mask, dt_mask


def _iou_of(a: np.ndarray, b: np.ndarray) -> float:
    union = int(np.count_nonzero(a | b))
    return 1.0 if union == 0 else int(np.count_nonzero(a & b)) / union


def mask_iou(gt: np.ndarray, dt: np.ndarray) -> float:
    """IoU of two HxW masks; two empty masks score 1.0 (nothing to find, nothing found)."""
    gt_mask, dt_mask = check_mask_pair(gt, dt)
    return _iou_of(gt_mask, dt_mask)


def boundary_width(height: int, width: int, dilation_ratio: float = 0.02) -> int:
    """d = max(1, round(dilation_ratio * image diagonal)): how many erosions make the boundary.
    `round` is Python's (halves to even), as in the Boundary IoU reference code."""
    if dilation_ratio <= 0:
        raise MetricError(f"dilation_ratio must be positive, got {dilation_ratio}")
    return max(1, round(dilation_ratio * float(np.hypot(height, width))))


def boundary(mask: np.ndarray, dilation_ratio: float = 0.02) -> np.ndarray:
    """The inner boundary band of a mask: the mask minus its erosion.

    The mask is padded by one pixel of zeros and eroded d = boundary_width(h, w, ratio) times with a
    3x3 kernel, so pixels on the image edge count as boundary too.

    Args:
        mask: HxW bool.
        dilation_ratio: band width as a fraction of the image diagonal.
    Returns:
        HxW bool, a subset of mask.
    """
    mask = as_mask(mask, "mask")
    height, width = mask.shape
    iterations = boundary_width(height, width, dilation_ratio)
    padded = cv2.copyMakeBorder(mask.astype(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    eroded = cv2.erode(padded, np.ones((3, 3), np.uint8), iterations=iterations)
    return mask & ~eroded[1 : height + 1, 1 : width + 1].astype(bool)


def boundary_iou(gt: np.ndarray, dt: np.ndarray, dilation_ratio: float = 0.02) -> float:
    """Boundary IoU: IoU of the two masks' boundary bands (see `boundary`).

    Two masks without boundary (both empty) score 1.0, as mask_iou does.
    """
    gt_mask, dt_mask = check_mask_pair(gt, dt)
    return _iou_of(boundary(gt_mask, dilation_ratio), boundary(dt_mask, dilation_ratio))


def stability_score(logits: np.ndarray, mask_threshold: float = 0.0, offset: float = 1.0) -> float | np.ndarray:
    """SAM's stability score: IoU of logits > threshold + offset with logits > threshold - offset.

    Args:
        logits: ...xHxW mask logits (one mask or a batch).
        mask_threshold: the logit at which the mask is cut (SAM: 0.0).
        offset: how far the threshold moves either way (SAM: 1.0).
    Returns:
        A float for one HxW mask, else an array of shape `logits.shape[:-2]`. A mask with no logit
        above threshold - offset scores 0.0 (SAM divides 0 by 0, and its filter drops the NaN).
    """
    logits = np.asarray(logits, dtype=np.float32)
    if logits.ndim < 2:
        raise MetricError(f"logits must be ...xHxW, got shape {logits.shape}")
    if offset < 0:
        raise MetricError(f"offset must be non-negative, got {offset}")
    intersections = np.count_nonzero(logits > mask_threshold + offset, axis=(-2, -1))
    unions = np.count_nonzero(logits > mask_threshold - offset, axis=(-2, -1))
    scores = np.where(unions > 0, intersections / np.maximum(unions, 1), 0.0)
    return float(scores) if logits.ndim == 2 else scores
