"""Interactive-segmentation figures from an IoU-per-click curve: clicks to reach an IoU (NoC@85,
NoC@90, capped at 20 as is standard) and the IoU after k clicks (mIoU@k)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.metrics.masks import MetricError

DEFAULT_MAX_CLICKS = 20
DEFAULT_THRESHOLDS = (0.85, 0.90)


def _check_curve(ious: Sequence[float]) -> None:
    if len(ious) == 0:
        raise MetricError("an IoU curve needs the IoU after at least one click")


def clicks_to_reach(ious: Sequence[float], threshold: float) -> int | None:
    """Clicks (1-based) until IoU >= threshold, where `ious[k - 1]` is the IoU after k clicks;
    None when the curve never reaches it."""
    _check_curve(ious)
    for clicks, value in enumerate(ious, start=1):
        if value >= threshold:
            return clicks
    return None


def number_of_clicks(ious: Sequence[float], threshold: float, max_clicks: int = DEFAULT_MAX_CLICKS) -> int:
    """NoC: clicks to reach threshold, counted as max_clicks when not reached within max_clicks."""
    reached = clicks_to_reach(ious[:max_clicks], threshold)
    return max_clicks if reached is None else reached


def iou_after(ious: Sequence[float], clicks: int) -> float:
    """IoU after `clicks` clicks. A curve shorter than that ended because the annotator was done
    (the object was perfect or the target reached), so its last IoU carries forward."""
    _check_curve(ious)
    if clicks < 1:
        raise MetricError(f"clicks must be at least 1, got {clicks}")
    return float(ious[min(clicks, len(ious)) - 1])


def threshold_name(threshold: float) -> str:
    """0.85 -> "85", as in NoC@85."""
    return f"{threshold * 100:g}"
