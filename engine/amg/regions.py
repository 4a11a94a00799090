"""Clean-up of automatic masks: fill holes and drop islands smaller than an area threshold, with
OpenCV's 8-connected components (SAM's `min_mask_region_area` post-processing)."""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np


def remove_small_regions(
    mask: np.ndarray, min_area: float, mode: Literal["holes", "islands"]
) -> tuple[np.ndarray, bool]:
    """Remove the small connected regions of one kind from a mask.

    mask: bool HxW. mode "holes": background components (8-connected) smaller than min_area pixels
    become foreground; "islands": foreground components smaller than min_area become background, but
    if every island is small the largest one stays. Returns (mask, changed); the mask is returned
    unchanged (the same object) when nothing is small.
    """
    if mode not in ("holes", "islands"):
        raise ValueError(f"mode must be 'holes' or 'islands', got {mode!r}")
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise ValueError(f"mask must be HxW, got shape {mask.shape}")
    fill_holes = mode == "holes"
    # For holes, label the background: a hole is a background component (label 0 is then the mask).
    working = (mask ^ fill_holes).astype(np.uint8)
    n_labels, labels, stats, _ = cv2.connectedComponentsWithStats(working, connectivity=8)
    sizes = stats[1:, cv2.CC_STAT_AREA]
    small = np.flatnonzero(sizes < min_area) + 1
    if small.size == 0:
        return mask, False
    if fill_holes:
        # Foreground afterwards: label 0 (the mask itself) and the small background components.
        return np.isin(labels, np.concatenate(([0], small))), True
    keep = np.setdiff1d(np.arange(1, n_labels), small)
    if keep.size == 0:
        keep = np.array([int(np.argmax(sizes)) + 1])
    return np.isin(labels, keep), True
