"""Held-out evaluation of a model version with the simulated annotator (mIoU@1/3/5, NoC@85/90 capped
at 20, Boundary IoU after one click) and the promotion gate between a candidate and the active one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from engine.annotator import ClickTrace, simulate
from engine.metrics import BoundaryIoUEvaluator, ClicksEvaluator
from engine.metrics.clicks import DEFAULT_MAX_CLICKS
from models.protocol import Embedding, ImageSegmenter
from training.snapshot import TrainingSample

METRIC_NAMES = ("mIoU@1", "mIoU@3", "mIoU@5", "NoC@85", "NoC@90", "mBoundaryIoU@1")


@dataclass(frozen=True)
class MaskSession:
    """One simulated annotation of one mask: IoU after each click and the clicks (x, y, label)."""

    image_key: str
    mask_index: int
    trace: ClickTrace
    first_mask: np.ndarray


def segment_fn_for(segmenter: ImageSegmenter, embedding: Embedding):
    """An `engine.annotator.SegmentFn` driving a segmenter as the app does: three candidates on the
    first click (multimask), one after; the highest-scoring one is shown; its low-res logits
    (1x256x256) come back as mask_input on the next click."""

    def segment(points: np.ndarray, labels: np.ndarray, prev_logits):
        prediction = segmenter.predict(embedding, points, labels, mask_input=prev_logits, multimask=len(points) == 1)
        best = prediction.best()
        return prediction.masks[best], prediction.low_res_logits[best][None]

    return segment


def annotate(
    segmenter: ImageSegmenter,
    samples: Iterable[TrainingSample],
    *,
    max_clicks: int = DEFAULT_MAX_CLICKS,
    target_iou: float = 0.90,
    progress: Callable[[float, str], None] | None = None,
) -> list[MaskSession]:
    """Simulated annotators on every mask of every sample: click until IoU >= target_iou or
    max_clicks. Each image is embedded once."""
    sessions: list[MaskSession] = []
    samples = list(samples)
    for index, sample in enumerate(samples):
        embedding = segmenter.embed(sample.image)
        segment = segment_fn_for(segmenter, embedding)
        for mask_index, mask in enumerate(sample.masks):
            if not mask.any():
                continue
            first: list[np.ndarray] = []

            def recording(points, labels, prev, _segment=segment, _first=first):
                mask_out, logits = _segment(points, labels, prev)
                if not _first:
                    _first.append(mask_out)
                return mask_out, logits

            trace = simulate(
                recording, mask, max_clicks=max_clicks, thresholds=(0.85, target_iou), stop_when_reached=True
            )
            sessions.append(MaskSession(sample.key, mask_index, trace, first[0]))
        if progress is not None:
            progress((index + 1) / len(samples), f"annotated image {index + 1}/{len(samples)}")
    return sessions


def evaluate(
    segmenter: ImageSegmenter,
    samples: Iterable[TrainingSample],
    *,
    max_clicks: int = DEFAULT_MAX_CLICKS,
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, float]:
    """Metrics of `segmenter` on held-out samples: {"mIoU@1", "mIoU@3", "mIoU@5", "NoC@85", "NoC@90",
    "mBoundaryIoU@1", "masks"} (mIoU@k only for k <= max_clicks; NoC capped at max_clicks). Sessions stop at IoU 0.90 (later IoUs carry forward, as
    ClicksEvaluator reads a shorter curve). Raises ValueError when there is no mask to evaluate."""
    samples = list(samples)
    sessions = annotate(segmenter, samples, max_clicks=max_clicks, progress=progress)
    if not sessions:
        raise ValueError("no held-out masks to evaluate on")
    return metrics_from_sessions(sessions, samples, max_clicks=max_clicks)


def metrics_from_sessions(
    sessions: list[MaskSession], samples: list[TrainingSample], *, max_clicks: int = DEFAULT_MAX_CLICKS
) -> dict[str, float]:
    """Aggregate sessions with engine.metrics' evaluators (ClicksEvaluator, BoundaryIoUEvaluator)."""
    by_key = {sample.key: sample for sample in samples}
    clicks = ClicksEvaluator(max_clicks=max_clicks, iou_at=tuple(k for k in (1, 3, 5) if k <= max_clicks))
    boundary = BoundaryIoUEvaluator()
    inputs = [{"mask": by_key[s.image_key].masks[s.mask_index]} for s in sessions]
    clicks.process(inputs, [{"ious": s.trace.ious} for s in sessions])
    boundary.process(inputs, [{"mask": s.first_mask} for s in sessions])
    figures = dict(clicks.evaluate()["clicks"])
    figures["mBoundaryIoU@1"] = boundary.evaluate()["boundary"]["mBoundaryIoU"]
    figures["masks"] = float(len(sessions))
    return figures


def lower_is_better(metric: str) -> bool:
    """NoC (clicks) falls as models improve; IoU figures rise."""
    if metric.startswith("NoC@"):
        return True
    if "IoU" in metric:
        return False
    raise ValueError(f"unknown metric {metric!r}; known: {METRIC_NAMES}")


def gate(candidate_metrics: dict[str, float], active_metrics: dict[str, float] | None, metric: str = "NoC@90") -> bool:
    """Whether a candidate should replace the active model: strictly better on `metric` (lower for
    NoC, higher for mIoU / Boundary IoU). No active model (None) promotes. ValueError when the
    metric is unknown or missing from either side."""
    lower = lower_is_better(metric)
    if metric not in candidate_metrics:
        raise ValueError(f"candidate metrics lack {metric!r}")
    if active_metrics is None:
        return True
    if metric not in active_metrics:
        raise ValueError(f"active metrics lack {metric!r}")
    candidate, active = float(candidate_metrics[metric]), float(active_metrics[metric])
    if not (np.isfinite(candidate) and np.isfinite(active)):
        raise ValueError(f"{metric} must be finite, got candidate {candidate}, active {active}")
    return candidate < active if lower else candidate > active
