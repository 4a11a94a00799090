"""The simulated video annotator, as SA-V's annotators work with SAM 2 in the loop: click the object on
its first frame until the mask is good, propagate, then go to the first frame where the masklet's IoU
drops under the target, correct it with clicks there (positive on a miss, negative on a spill, at the
centre of the largest error region as engine.annotator clicks), propagate again from that frame, and
repeat until every frame is good or the click budget is spent; the frames still wrong are then fixed
by hand, so the accepted masklet is the object. Drives any `VideoTracker` (models.video)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.annotator import next_click
from engine.metrics.masks import mask_iou


@dataclass(frozen=True)
class VideoAnnotatorConfig:
    """target_iou: a frame is good at this IoU; frame_max_clicks: clicks the annotator spends on one
    frame before fixing it by hand (the first frame included); max_clicks: clicks per masklet in all
    (the budget), after which every frame still wrong is fixed by hand."""

    target_iou: float = 0.75
    frame_max_clicks: int = 2
    max_clicks: int = 24

    def __post_init__(self):
        if not 0.0 < self.target_iou <= 1.0:
            raise ValueError(f"target_iou must be in (0, 1], got {self.target_iou}")
        if self.frame_max_clicks < 1 or self.max_clicks < 1:
            raise ValueError("frame_max_clicks and max_clicks must be at least 1")


@dataclass
class MaskletTrace:
    """One simulated masklet. start: its first frame (the first where the object shows); frames:
    frames from start to the video's end; clicks: (frame, x, y, label) in order; ious: IoU of the
    tracker's masklet per frame (start first) when the annotator stopped clicking; propagations:
    tracking passes run."""

    start: int
    frames: int
    clicks: list[tuple[int, int, int, int]] = field(default_factory=list)
    ious: list[float] = field(default_factory=list)
    propagations: int = 0
    target_iou: float = 0.75

    @property
    def clicks_per_frame(self) -> float:
        return len(self.clicks) / self.frames

    @property
    def frames_fixed_by_hand(self) -> int:
        return sum(1 for iou in self.ious if iou < self.target_iou)

    @property
    def first_frame_clicks(self) -> int:
        return sum(1 for frame, *_ in self.clicks if frame == self.start)


def annotate_masklet(
    tracker, frames, truth: np.ndarray, config: VideoAnnotatorConfig, *, obj_id: int = 1
) -> MaskletTrace:
    """Annotate one object of a video with `tracker` in the loop.

    frames: what `tracker.start` takes (NxHxWx3 uint8 or a FrameSource); truth: NxHxW bool, the
    object on every frame. Every prompt on a frame carries all clicks made there so far (a
    VideoTracker replaces a frame's prompts). Raises ValueError when the object never shows.
    """
    truth = np.asarray(truth, dtype=bool)
    shown = np.flatnonzero(truth.reshape(len(truth), -1).any(axis=1))
    if len(shown) == 0:
        raise ValueError("the object shows on no frame: nothing to annotate")
    start = int(shown[0])
    trace = MaskletTrace(start, len(truth) - start, target_iou=config.target_iou)
    state = tracker.start(frames)
    predicted: dict[int, np.ndarray] = {}
    on_frame: dict[int, list[tuple[int, int, int]]] = {}

    def iou(frame: int) -> float:
        mask = predicted.get(frame)
        return mask_iou(truth[frame], np.zeros_like(truth[frame]) if mask is None else mask)

    def correct(frame: int) -> None:
        """Clicks on `frame` until it is good, its cap is reached or the budget is spent."""
        clicks = on_frame.setdefault(frame, [])
        while iou(frame) < config.target_iou and len(clicks) < config.frame_max_clicks:
            if len(trace.clicks) >= config.max_clicks:
                return
            x, y, label = next_click(truth[frame], predicted.get(frame))
            clicks.append((x, y, label))
            trace.clicks.append((frame, x, y, label))
            points = np.array([(cx, cy) for cx, cy, _ in clicks], dtype=np.float32)
            labels = np.array([cl for _, _, cl in clicks], dtype=np.int64)
            predicted[frame] = np.asarray(tracker.add_prompts(state, frame, obj_id, points, labels)[obj_id], bool)

    correct(start)
    from_frame = start
    while True:
        for frame, masks in tracker.propagate(state, start=from_frame):
            predicted[frame] = np.asarray(masks[obj_id], bool)
        trace.propagations += 1
        # The first frame still wrong that the annotator has not given up on (its cap reached).
        wrong = next(
            (
                f
                for f in range(start, len(truth))
                if iou(f) < config.target_iou and len(on_frame.get(f, ())) < config.frame_max_clicks
            ),
            None,
        )
        if wrong is None or len(trace.clicks) >= config.max_clicks:
            break
        correct(wrong)
        from_frame = wrong
    trace.ious = [iou(f) for f in range(start, len(truth))]
    return trace
