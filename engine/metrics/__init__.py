"""Segmentation metrics: mask and Boundary IoU, stability score, clicks-to-IoU, video J&F, and the
evaluators that aggregate them (reset / process / evaluate)."""

from engine.metrics.clicks import clicks_to_reach, iou_after, number_of_clicks
from engine.metrics.evaluators import (
    BoundaryIoUEvaluator,
    ClicksEvaluator,
    DatasetEvaluator,
    JAndFEvaluator,
    MaskIoUEvaluator,
)
from engine.metrics.masks import (
    MetricError,
    boundary,
    boundary_iou,
    boundary_width,
    mask_iou,
    stability_score,
)
from engine.metrics.sav_eval import GlobalScores, VideoScores, global_scores, sav_video_j_and_f
from engine.metrics.video import JAndF, ObjectScores, boundary_f_measure, boundary_map, masklet_j_and_f

__all__ = [
    "BoundaryIoUEvaluator",
    "ClicksEvaluator",
    "DatasetEvaluator",
    "GlobalScores",
    "JAndF",
    "JAndFEvaluator",
    "MaskIoUEvaluator",
    "MetricError",
    "ObjectScores",
    "VideoScores",
    "boundary",
    "boundary_f_measure",
    "boundary_iou",
    "boundary_map",
    "boundary_width",
    "clicks_to_reach",
    "global_scores",
    "iou_after",
    "mask_iou",
    "masklet_j_and_f",
    "number_of_clicks",
    "sav_video_j_and_f",
    "stability_score",
]
