"""The simulated annotator of SAM / RITM-style interactive evaluation: it clicks the centre of the
largest error region, positive on a miss and negative on a spill, and drives any segmenter through a
click session to measure clicks-to-IoU."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from engine.metrics.clicks import (
    DEFAULT_MAX_CLICKS,
    DEFAULT_THRESHOLDS,
    clicks_to_reach,
    number_of_clicks,
)
from engine.metrics.masks import MetricError, as_mask, mask_iou

POSITIVE, NEGATIVE = 1, 0

# segment_fn(points Nx2 float32 (x, y) in pixels, labels N int64 (1 positive, 0 negative),
#            prev_logits from its previous call or None) -> (mask HxW bool, logits of any shape)
SegmentFn = Callable[[np.ndarray, np.ndarray, "np.ndarray | None"], "tuple[np.ndarray, np.ndarray]"]


class AnnotatorError(ValueError):
    """The simulated annotator cannot click: bad masks, or nothing left to correct."""


def _checked(mask: object, name: str) -> np.ndarray:
    try:
        return as_mask(mask, name)
    except MetricError as exc:
        raise AnnotatorError(str(exc)) from exc


def _largest_region(error: np.ndarray) -> tuple[int, np.ndarray | None]:
    """(area, mask) of the largest 8-connected region of `error`; (0, None) when it is empty."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(error.astype(np.uint8), connectivity=8)
    if count <= 1:
        return 0, None
    areas = stats[1:, cv2.CC_STAT_AREA]
    best = int(np.argmax(areas)) + 1  # first largest, in label (raster) order
    return int(areas[best - 1]), labels == best


def _centre(region: np.ndarray) -> tuple[int, int]:
    """(x, y) of the region pixel farthest from the region's outside, the image border counting
    as outside (hence the zero padding). Ties go to the first pixel in raster order."""
    padded = cv2.copyMakeBorder(region.astype(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    distance = cv2.distanceTransform(padded, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]
    y, x = np.unravel_index(int(np.argmax(distance)), distance.shape)
    return int(x), int(y)


def next_click(gt: np.ndarray, pred: np.ndarray | None = None) -> tuple[int, int, int]:
    """The click a careful annotator makes next.

    Args:
        gt: HxW bool, the object.
        pred: HxW bool, the current mask; None before the first click (then the click is the
            centre of the object's largest part).
    Returns:
        (x, y, label): column and row of the centre of the largest error region, label 1 when that
        region is a false negative (object missed), 0 when a false positive (background taken).
        A tie in area goes to the false negative.
    Raises:
        AnnotatorError: bad masks, an empty object, or a prediction equal to gt.
    """
    gt_mask = _checked(gt, "gt")
    pred_mask = np.zeros_like(gt_mask) if pred is None else _checked(pred, "pred")
    if pred_mask.shape != gt_mask.shape:
        raise AnnotatorError(f"pred shape {pred_mask.shape} differs from gt shape {gt_mask.shape}")
    if not gt_mask.any():
        raise AnnotatorError("the ground-truth object is empty: nothing to click")
    missed_area, missed = _largest_region(gt_mask & ~pred_mask)
    spilled_area, spilled = _largest_region(pred_mask & ~gt_mask)
    if missed is None and spilled is None:
        raise AnnotatorError("the prediction equals the ground truth: nothing to correct")
    if missed is not None and missed_area >= spilled_area:
        return (*_centre(missed), POSITIVE)
    assert spilled is not None  # one of the two regions is non-empty
    return (*_centre(spilled), NEGATIVE)


@dataclass
class ClickTrace:
    """One simulated session.

    ious[k - 1] is the IoU after k clicks and clicks[k - 1] the k-th click (x, y, label). The trace
    ends early when a mask equals the object (nothing left to click) or, if asked, when the highest
    threshold is reached; metrics then carry the last IoU forward. clicks_to_reach maps each
    threshold to the clicks needed, None when not reached.
    """

    ious: list[float] = field(default_factory=list)
    clicks: list[tuple[int, int, int]] = field(default_factory=list)
    clicks_to_reach: dict[float, int | None] = field(default_factory=dict)

    def number_of_clicks(self, threshold: float, max_clicks: int = DEFAULT_MAX_CLICKS) -> int:
        """NoC for one threshold: clicks to reach it, max_clicks when not reached."""
        return number_of_clicks(self.ious, threshold, max_clicks)


def simulate(
    segment_fn: SegmentFn,
    gt: np.ndarray,
    max_clicks: int = DEFAULT_MAX_CLICKS,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    stop_when_reached: bool = False,
) -> ClickTrace:
    """Run one interactive session: click, segment, measure, repeat.

    Each round adds `next_click(gt, last mask)` and calls `segment_fn(points, labels, prev_logits)`
    with every click so far (points Nx2 float32 (x, y), labels N int64) and the logits its previous
    call returned (None on the first), as SAM's predictor takes `mask_input`.

    Args:
        segment_fn: the segmenter under test; returns (HxW bool mask, logits).
        gt: HxW bool object mask.
        max_clicks: at most this many clicks.
        thresholds: IoU targets recorded in clicks_to_reach.
        stop_when_reached: stop once the highest threshold is reached (saves model calls).
    Raises:
        AnnotatorError: bad gt, max_clicks < 1, or segment_fn returning a mask of the wrong shape.
    """
    gt_mask = _checked(gt, "gt")
    if max_clicks < 1:
        raise AnnotatorError(f"max_clicks must be at least 1, got {max_clicks}")
    trace = ClickTrace()
    pred: np.ndarray | None = None
    prev_logits: np.ndarray | None = None
    while len(trace.clicks) < max_clicks:
        if pred is not None and np.array_equal(pred, gt_mask):
            break
        trace.clicks.append(next_click(gt_mask, pred))
        points = np.array([(x, y) for x, y, _ in trace.clicks], dtype=np.float32)
        labels = np.array([label for _, _, label in trace.clicks], dtype=np.int64)
        mask, prev_logits = segment_fn(points, labels, prev_logits)
        pred = _checked(mask, "segment_fn mask")
        if pred.shape != gt_mask.shape:
            raise AnnotatorError(f"segment_fn returned shape {pred.shape}, expected {gt_mask.shape}")
        trace.ious.append(mask_iou(gt_mask, pred))
        if stop_when_reached and thresholds and trace.ious[-1] >= max(thresholds):
            break
    trace.clicks_to_reach = {t: clicks_to_reach(trace.ious, t) for t in thresholds}
    return trace
