"""ClassicalVideoTracker on generated videos of shapes moving over a textured background: masks
from one click, propagated forwards and backwards by optical flow plus GrabCut, against the
exact shape masks; corrections; input checks."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from engine.synthetic import make_scene
from models.classical_video import ClassicalTrackerState, ClassicalVideoTracker
from models.video import ArrayFrames

N_FRAMES = 10
SPEED = 5.0  # pixels per frame: more than the refinement band, so without flow the masks are lost


def moving_shapes(seed: int, n_frames: int = N_FRAMES, height: int = 144, width: int = 192, speed: float = SPEED):
    """(frames NxHxWx3 uint8, truth Nx2xHxW bool): two shapes of a synthetic scene translating in
    random directions over another scene's background, always fully inside and 4+ pixels apart."""
    rng = np.random.default_rng(seed)
    background, _ = make_scene(seed, height, width, n_shapes=0)
    image, masks = make_scene(seed + 1000, height, width, n_shapes=2)
    gap = np.ones((9, 9), np.uint8)
    for _attempt in range(400):
        angles = rng.uniform(0, 2 * np.pi, size=2)
        steps = np.stack([np.cos(angles), np.sin(angles)], axis=1) * speed
        truth = np.zeros((n_frames, 2, height, width), bool)
        for t in range(n_frames):
            for k, mask in enumerate(masks):
                shift = np.float32([[1, 0, steps[k, 0] * t], [0, 1, steps[k, 1] * t]])
                truth[t, k] = cv2.warpAffine(mask.astype(np.uint8), shift, (width, height), flags=cv2.INTER_NEAREST) > 0
        inside = all(truth[t, k].sum() == masks[k].sum() for t in range(n_frames) for k in range(2))
        apart = not any(np.any(cv2.dilate(truth[t, 0].astype(np.uint8), gap) & truth[t, 1]) for t in range(n_frames))
        if inside and apart:
            break
    else:
        raise AssertionError(f"seed {seed}: no motion keeps both shapes inside and apart")
    frames = np.repeat(background[None], n_frames, axis=0)
    for t in range(n_frames):
        for k in range(2):
            shift = np.float32([[1, 0, steps[k, 0] * t], [0, 1, steps[k, 1] * t]])
            moved = cv2.warpAffine(image, shift, (width, height), flags=cv2.INTER_NEAREST)
            frames[t][truth[t, k]] = moved[truth[t, k]]
    return frames, truth


def inside_point(mask: np.ndarray) -> list[list[float]]:
    """The pixel deepest inside the mask, as a click [[x, y]]."""
    depth = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 5)
    y, x = np.unravel_index(int(np.argmax(depth)), depth.shape)
    return [[float(x), float(y)]]


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


@pytest.fixture(scope="module")
def tracker():
    return ClassicalVideoTracker()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "backward"])
def test_propagated_masks_follow_the_shapes(tracker, seed, reverse):
    frames, truth = moving_shapes(seed)
    state = tracker.start(ArrayFrames(frames))
    prompted = N_FRAMES - 1 if reverse else 0
    for k in range(2):
        tracker.add_prompts(state, prompted, k + 1, points=inside_point(truth[prompted, k]), labels=[1])
    scores = {1: [], 2: []}
    visited = []
    for frame, masks in tracker.propagate(state, reverse=reverse):
        visited.append(frame)
        for obj_id, mask in masks.items():
            assert mask.dtype == bool and mask.shape == frames.shape[1:3]
            scores[obj_id].append(iou(mask, truth[frame, obj_id - 1]))
    assert visited == (list(range(N_FRAMES - 1, -1, -1)) if reverse else list(range(N_FRAMES)))
    for obj_id, values in scores.items():
        assert np.mean(values) >= 0.8, (obj_id, np.round(values, 3))


def test_a_correction_on_a_later_frame_is_kept_and_carried_on(tracker):
    frames, truth = moving_shapes(5)
    state = tracker.start(frames)
    tracker.add_prompts(state, 0, 1, box=_box(truth[0, 0]))
    wrong = np.zeros_like(truth[6, 0])
    wrong[10:30, 10:30] = True  # a person brushes a different region on frame 6
    on_frame = tracker.add_mask(state, 6, 1, wrong)
    np.testing.assert_array_equal(on_frame[1], wrong)
    masks = dict(tracker.propagate(state, start=0))
    assert iou(masks[3][1], truth[3, 0]) >= 0.8  # before the correction: the tracked shape
    np.testing.assert_array_equal(masks[6][1], wrong)  # the correction wins on its frame
    assert iou(masks[7][1], wrong) > iou(masks[7][1], truth[7, 0])  # and is carried from there


def test_objects_appear_from_their_first_prompt_and_can_be_removed(tracker):
    frames, truth = moving_shapes(6)
    state = tracker.start(frames)
    tracker.add_prompts(state, 0, 1, points=inside_point(truth[0, 0]), labels=[1])
    masks = tracker.add_prompts(state, 4, 2, points=inside_point(truth[4, 1]), labels=[1])
    assert list(masks) == [1, 2] and not masks[1].any() and iou(masks[2], truth[4, 1]) >= 0.8
    results = dict(tracker.propagate(state))
    assert not results[2][2].any() and iou(results[6][2], truth[6, 1]) >= 0.8
    tracker.remove_object(state, 1)
    assert state.obj_ids == [2]
    assert [list(m) for _, m in tracker.propagate(state, max_frames=1)] == [[2], [2]]
    tracker.reset(state)
    with pytest.raises(ValueError, match="no objects"):
        tracker.propagate(state)


def test_stopping_iteration_cancels(tracker):
    frames, truth = moving_shapes(7)
    state = tracker.start(frames)
    tracker.add_prompts(state, 0, 1, points=inside_point(truth[0, 0]), labels=[1])
    stream = tracker.propagate(state)
    assert [next(stream)[0] for _ in range(2)] == [0, 1]
    stream.close()
    assert sorted(state.objects[1].masks) == [0, 1]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda t, s: t.add_prompts(s, 10, 1, points=[[1, 1]], labels=[1]), "out of range"),
        (lambda t, s: t.add_prompts(s, 0, 1, box=[5, 5, 2, 9]), "x1 > x0"),
        (lambda t, s: t.add_prompts(s, 0, 1, points=[[1, 1]]), "without labels"),
        (lambda t, s: t.add_prompts(s, 0, True, points=[[1, 1]], labels=[1]), "obj_id"),
        (lambda t, s: t.add_mask(s, 0, 1, np.full((144, 192), 2)), "bool"),
        (lambda t, s: t.remove_object(s, 3), "unknown obj_id"),
        (lambda t, s: t.propagate(s, start=3), "no objects"),
    ],
)
def test_bad_input_raises_value_error(tracker, call, message):
    state = tracker.start(np.zeros((10, 144, 192, 3), np.uint8))
    with pytest.raises(ValueError, match=message):
        call(tracker, state)


def test_a_state_from_another_tracker_is_refused(tracker):
    other = ClassicalVideoTracker(flow_side=64)
    state = other.start(np.zeros((2, 32, 32, 3), np.uint8))
    assert isinstance(state, ClassicalTrackerState)
    with pytest.raises(ValueError, match="state was made by"):
        tracker.add_mask(state, 0, 1, np.zeros((32, 32), bool))


def _box(mask: np.ndarray) -> list[float]:
    ys, xs = np.nonzero(mask)
    h, w = mask.shape
    return [
        max(0.0, xs.min() - 2.0),
        max(0.0, ys.min() - 2.0),
        min(float(w), xs.max() + 3.0),
        min(float(h), ys.max() + 3.0),
    ]
