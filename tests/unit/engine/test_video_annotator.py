"""The simulated video annotator on hand-made cases: a disc moving right on 16 frames and scripted
trackers whose failures are known, so the clicks it must make follow from the script alone."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from engine.video_annotator import VideoAnnotatorConfig, annotate_masklet

N, SIDE, RADIUS = 16, 64, 6


def disc(t: int) -> np.ndarray:
    """The object on frame t: a disc of radius 6 centred at (12 + 2t, 30)."""
    yy, xx = np.mgrid[:SIDE, :SIDE]
    return (xx - (12 + 2 * t)) ** 2 + (yy - 30) ** 2 <= RADIUS**2


TRUTH = np.stack([disc(t) for t in range(N)])
FRAMES = np.zeros((N, SIDE, SIDE, 3), np.uint8)
SPILL = np.zeros((SIDE, SIDE), bool)
SPILL[49:60, 4:15] = True  # an 11x11 square of background, centre pixel (9, 54)


@dataclass
class ScriptedTracker:
    """A VideoTracker whose masks are scripted: exact on prompted frames; when propagating, exact on
    frames before `fails_from` and on frames at or after a prompt made there, else `failure(t)`
    (the tracker lost the object and is put back on it by a click). `exact_on_prompts=False`: the
    prompted frames get the failure too (a tracker that never finds the object)."""

    fails_from: int = N
    failure: str = "miss"  # "miss": an empty mask; "spill": the object plus a background square
    exact_on_prompts: bool = True
    prompts: dict[int, list] = field(default_factory=dict)
    passes: list[int] = field(default_factory=list)

    def start(self, frames):
        self.prompts.clear()
        return object()

    def _failed(self, t: int) -> np.ndarray:
        return np.zeros_like(TRUTH[t]) if self.failure == "miss" else TRUTH[t] | SPILL

    def add_prompts(self, state, frame, obj_id, points=None, labels=None, box=None):
        self.prompts[frame] = [(int(x), int(y), int(label)) for (x, y), label in zip(points, labels, strict=True)]
        return {obj_id: TRUTH[frame].copy() if self.exact_on_prompts else self._failed(frame)}

    def propagate(self, state, start=None, reverse=False, max_frames=None):
        self.passes.append(start)
        for t in range(start, N):
            fixed = self.exact_on_prompts and any(self.fails_from <= p <= t for p in self.prompts)
            good = t < self.fails_from or fixed
            yield t, {1: TRUTH[t].copy() if good else self._failed(t)}


def test_a_perfect_tracker_needs_only_the_first_frame_click():
    tracker = ScriptedTracker()
    trace = annotate_masklet(tracker, FRAMES, TRUTH, VideoAnnotatorConfig())
    assert trace.clicks == [(0, 12, 30, 1)]  # the disc's centre on frame 0, positive
    assert trace.start == 0 and trace.frames == N
    assert trace.clicks_per_frame == pytest.approx(1 / 16)
    assert trace.ious == [1.0] * N and trace.frames_fixed_by_hand == 0
    assert tracker.passes == [0]


def test_a_tracker_that_loses_the_object_gets_a_click_where_it_is_lost():
    tracker = ScriptedTracker(fails_from=10)
    trace = annotate_masklet(tracker, FRAMES, TRUTH, VideoAnnotatorConfig())
    # frame 10: the disc is missed (empty mask), so a positive click at its centre (12 + 20, 30)
    assert trace.clicks == [(0, 12, 30, 1), (10, 32, 30, 1)]
    assert tracker.passes == [0, 10]  # propagated again from the corrected frame
    assert trace.ious == [1.0] * N and trace.clicks_per_frame == pytest.approx(2 / 16)


def test_a_spill_gets_a_negative_click_on_the_spilled_region():
    tracker = ScriptedTracker(fails_from=5, failure="spill")
    trace = annotate_masklet(tracker, FRAMES, TRUTH, VideoAnnotatorConfig())
    assert trace.clicks == [(0, 12, 30, 1), (5, 9, 54, 0)]
    assert tracker.prompts[5] == [(9, 54, 0)]


def test_the_budget_caps_clicks_and_the_rest_is_fixed_by_hand():
    tracker = ScriptedTracker(fails_from=0, exact_on_prompts=False)
    config = VideoAnnotatorConfig(frame_max_clicks=4, max_clicks=6)
    trace = annotate_masklet(tracker, FRAMES, TRUTH, config)
    # 4 clicks on frame 0 (its cap), then frame 1 is the first wrong frame: 2 clicks there (budget)
    assert [frame for frame, *_ in trace.clicks] == [0, 0, 0, 0, 1, 1]
    assert trace.first_frame_clicks == 4
    assert trace.frames_fixed_by_hand == N and trace.ious == [0.0] * N
    assert tracker.prompts[0] == [(12, 30, 1)] * 4  # every prompt on a frame carries its clicks so far


def test_the_masklet_starts_where_the_object_first_shows():
    truth = TRUTH.copy()
    truth[:3] = False
    tracker = ScriptedTracker()
    trace = annotate_masklet(tracker, FRAMES, truth, VideoAnnotatorConfig())
    assert trace.start == 3 and trace.frames == N - 3 and trace.clicks == [(3, 18, 30, 1)]
    with pytest.raises(ValueError, match="no frame"):
        annotate_masklet(tracker, FRAMES, np.zeros_like(TRUTH), VideoAnnotatorConfig())
