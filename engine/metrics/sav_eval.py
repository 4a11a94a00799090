"""J&F of predicted masklets against SA-V ground truth given as SA-V records (`masklet[i][j]` the
RLE of object j on annotated frame i), scored object by object as sam2's `sav_evaluator.py` scores
its `{video_id}/{object:03d}/{frame:05d}.png` folders (engine.metrics.video has the rules), and
the global figures it prints: the mean over every object of every video."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from engine import rle as rle_ops
from engine.metrics.masks import MetricError
from engine.metrics.video import DEFAULT_BOUNDARY_TOLERANCE, JAndF, ObjectScores


@dataclass(frozen=True)
class VideoScores:
    """Per-object scores of one video, by masklet id; None for an object the ground truth never
    shows on the evaluated frames (the official evaluator has no score for it)."""

    video_id: str
    objects: dict[int, JAndF | None]


@dataclass(frozen=True)
class GlobalScores:
    """Means over every scored object, as fractions (the official table prints them x 100)."""

    j: float
    f: float
    objects: int

    @property
    def j_and_f(self) -> float:
        return (self.j + self.f) / 2

    def summary(self) -> str:
        """The official summary line, e.g. `Global score: J&F: 81.2 J: 80.1 F: 82.3`."""
        return f"Global score: J&F: {100 * self.j_and_f:.1f} J: {100 * self.j:.1f} F: {100 * self.f:.1f}"


def _frames_by_object(record: Mapping, what: str) -> tuple[list[int], list]:
    try:
        ids = [int(i) for i in record["masklet_id"]]
        masklet = record["masklet"]
    except (KeyError, TypeError, ValueError) as exc:
        raise MetricError(f"{what} needs 'masklet' and 'masklet_id' lists") from exc
    if any(len(frame) != len(ids) for frame in masklet):
        raise MetricError(f"{what}: every annotated frame must hold one RLE per masklet id")
    return ids, masklet


def sav_video_j_and_f(
    gt: Mapping,
    prediction: Mapping,
    *,
    skip_first_and_last: bool = True,
    tolerance: float = DEFAULT_BOUNDARY_TOLERANCE,
    from_first_appearance: bool = True,
) -> VideoScores:
    """Score every ground-truth object of one video.

    Args:
        gt: a SA-V record (video_id, masklet, masklet_id).
        prediction: `{"masklet": [[rle per object] per annotated frame], "masklet_id": [...]}` with
            every ground-truth masklet id on every annotated frame (the official evaluator requires
            a predicted mask for every ground-truth file); other ids are ignored.
    Raises:
        MetricError: a missing object, other frame counts or sizes, or too few frames.
    """
    gt_ids, gt_masklet = _frames_by_object(gt, "ground truth")
    pred_ids, pred_masklet = _frames_by_object(prediction, "prediction")
    if len(pred_masklet) != len(gt_masklet):
        raise MetricError(f"prediction has {len(pred_masklet)} annotated frames, ground truth {len(gt_masklet)}")
    missing = sorted(set(gt_ids) - set(pred_ids))
    if missing:
        raise MetricError(f"prediction lacks masklet ids {missing}")
    frames = list(range(len(gt_masklet)))
    if skip_first_and_last:
        frames = frames[1:-1]
    if not frames:
        raise MetricError("no frame left to evaluate (skipping first and last needs 3 frames)")
    scores = {masklet_id: ObjectScores(tolerance, from_first_appearance) for masklet_id in gt_ids}
    pred_column = {masklet_id: pred_ids.index(masklet_id) for masklet_id in gt_ids}
    for frame in frames:  # one frame of masks in memory at a time
        for column, masklet_id in enumerate(gt_ids):
            gt_mask = rle_ops.decode(gt_masklet[frame][column])
            dt_mask = rle_ops.decode(pred_masklet[frame][pred_column[masklet_id]])
            scores[masklet_id].feed(gt_mask, dt_mask)
    return VideoScores(
        video_id=str(gt.get("video_id", "")), objects={key: value.result() for key, value in scores.items()}
    )


def global_scores(videos: Iterable[VideoScores]) -> GlobalScores:
    """Mean J and F over every scored object of every video (objects without a score left out)."""
    scored = [s for video in videos for s in video.objects.values() if s is not None]
    if not scored:
        raise MetricError("no object has a score")
    return GlobalScores(
        j=float(np.mean([s.j for s in scored])), f=float(np.mean([s.f for s in scored])), objects=len(scored)
    )
