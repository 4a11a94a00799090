"""Turn a batch of grid points into scored candidate masks on one embedded crop: one batched forward
pass where the backend offers `predict_batch` / `upscale_logits` (SAM, SAM 2), else one `predict`
call per point (classical GrabCut). Predicted-IoU and stability filters are applied here, the IoU
filter before upscaling so rejected candidates never cost a full-resolution map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.metrics.masks import stability_score
from models.protocol import Embedding, ImageSegmenter

MASK_THRESHOLD = 0.0  # every backend's masks are logits > 0
UPSCALE_CHUNK = 24  # masks upscaled to full resolution at a time (a multiple of 3, see SamSegmenter)


@dataclass(frozen=True)
class Candidates:
    """Candidate masks of one point batch that passed the score filters, in the crop's frame.

    masks: bool NxHxW (H, W: the crop's size); predicted_iou: float32 N; stability: float32 N;
    points: float64 Nx2 XY crop pixels, the click that produced each mask (K masks per click)."""

    masks: np.ndarray
    predicted_iou: np.ndarray
    stability: np.ndarray
    points: np.ndarray


@dataclass(frozen=True)
class ScoreFilter:
    """pred_iou_thresh: keep predicted IoU > it (off when <= 0); stability_thresh: keep stability >=
    it (off when <= 0); stability_offset: the logit offset of the stability score."""

    pred_iou_thresh: float
    stability_thresh: float
    stability_offset: float


def has_batch_decoder(segmenter: ImageSegmenter) -> bool:
    """Whether the backend decodes many prompts in one pass (`predict_batch` and `upscale_logits`)."""
    return callable(getattr(segmenter, "predict_batch", None)) and callable(getattr(segmenter, "upscale_logits", None))


def decode_points(
    segmenter: ImageSegmenter, embedding: Embedding, points: np.ndarray, score_filter: ScoreFilter
) -> Candidates:
    """Candidates (3 per point, multimask) for single positive clicks at `points` (float64 Nx2 XY in
    the embedded crop's pixels) that pass `score_filter`."""
    if has_batch_decoder(segmenter):
        return _decode_batched(segmenter, embedding, points, score_filter)
    return _decode_per_point(segmenter, embedding, points, score_filter)


def _decode_batched(segmenter, embedding: Embedding, points: np.ndarray, score_filter: ScoreFilter) -> Candidates:
    """One forward pass; stability on logits upscaled exactly as the backend upscales its masks."""
    labels = np.ones((len(points), 1), dtype=np.int32)
    low_res, scores = segmenter.predict_batch(embedding, points[:, None, :], labels, multimask=True)
    per_point = low_res.shape[1]
    low_res = low_res.reshape(-1, *low_res.shape[2:])
    predicted_iou = scores.reshape(-1).astype(np.float32)
    clicks = np.repeat(points, per_point, axis=0)
    keep = np.flatnonzero(_iou_passes(predicted_iou, score_filter))
    # Full-resolution logits exist UPSCALE_CHUNK at a time: the peak memory is that many float maps
    # plus the bool masks that pass (SAM holds every mask of the batch as float logits).
    masks, stability, kept = [], [], []
    for start in range(0, len(keep), UPSCALE_CHUNK):
        chosen = keep[start : start + UPSCALE_CHUNK]
        logits = segmenter.upscale_logits(embedding, low_res[chosen])
        chunk_stability = _stability(logits, score_filter)
        passes = _stability_passes(chunk_stability, score_filter)
        masks.append(logits[passes] > MASK_THRESHOLD)
        stability.append(chunk_stability[passes])
        kept.append(chosen[passes])
    if not kept:
        height, width = embedding.original_size
        return _no_candidates(height, width)
    kept_indices = np.concatenate(kept)
    return Candidates(
        masks=np.concatenate(masks),
        predicted_iou=predicted_iou[kept_indices],
        stability=np.concatenate(stability),
        points=clicks[kept_indices],
    )


def _decode_per_point(segmenter, embedding: Embedding, points: np.ndarray, score_filter: ScoreFilter) -> Candidates:
    """One `predict` per click. Such backends give masks at the image size but logits only at 256x256
    (in their own frame), so stability is measured on those low-res logits: an approximation of SAM's
    full-resolution stability (exact ratios need full-resolution logits the protocol does not carry)."""
    masks, predicted_iou, stability, clicks = [], [], [], []
    for point in points:
        prediction = segmenter.predict(embedding, points=point[None], labels=np.ones(1, dtype=np.int32), multimask=True)
        scores = np.asarray(prediction.scores, dtype=np.float32)
        keep = _iou_passes(scores, score_filter)
        if not keep.any():
            continue
        point_stability = _stability(np.asarray(prediction.low_res_logits)[keep], score_filter)
        passes = _stability_passes(point_stability, score_filter)
        masks.append(np.asarray(prediction.masks, dtype=bool)[keep][passes])
        predicted_iou.append(scores[keep][passes])
        stability.append(point_stability[passes])
        clicks.append(np.repeat(point[None], int(passes.sum()), axis=0))
    if not masks:
        return _no_candidates(*embedding.original_size)
    return Candidates(
        np.concatenate(masks),
        np.concatenate(predicted_iou),
        np.concatenate(stability),
        np.concatenate(clicks).astype(np.float64),
    )


def _no_candidates(height: int, width: int) -> Candidates:
    return Candidates(
        np.zeros((0, height, width), dtype=bool),
        np.zeros(0, np.float32),
        np.zeros(0, np.float32),
        np.zeros((0, 2), np.float64),
    )


def _iou_passes(predicted_iou: np.ndarray, score_filter: ScoreFilter) -> np.ndarray:
    if score_filter.pred_iou_thresh <= 0.0:
        return np.ones(predicted_iou.shape, dtype=bool)
    # float32 against float32, as SAM compares its float32 tensor with the Python threshold.
    return predicted_iou > np.float32(score_filter.pred_iou_thresh)


def _stability(logits: np.ndarray, score_filter: ScoreFilter) -> np.ndarray:
    if logits.shape[0] == 0:
        return np.zeros(0, dtype=np.float32)
    # SAM divides two int32 counts in float32; float64 then rounding to float32 gives the same value.
    scores = stability_score(logits, MASK_THRESHOLD, score_filter.stability_offset)
    return np.asarray(scores, dtype=np.float32).reshape(-1)


def _stability_passes(stability: np.ndarray, score_filter: ScoreFilter) -> np.ndarray:
    if score_filter.stability_thresh <= 0.0:
        return np.ones(stability.shape, dtype=bool)
    return stability >= np.float32(score_filter.stability_thresh)
