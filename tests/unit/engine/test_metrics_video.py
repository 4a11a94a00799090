"""engine.metrics.video: DAVIS boundary map, boundary F and J&F on masks worked out by hand."""

import numpy as np
import pytest

from engine.metrics import (
    JAndFEvaluator,
    MetricError,
    boundary_f_measure,
    boundary_map,
    masklet_j_and_f,
)


def _square(shape, rows, cols):
    mask = np.zeros(shape, bool)
    mask[rows[0] : rows[1] + 1, cols[0] : cols[1] + 1] = True
    return mask


def test_boundary_map_by_hand():
    # 2x2 square at rows 1-2, cols 1-2. A pixel is on the map when its right, lower or lower-right
    # neighbour differs, so the map sits half a pixel towards the origin: rows 0-2 x cols 0-2
    # without the square's own top-left-interior pixel (1, 1), whose three neighbours are all inside.
    mask = _square((5, 5), (1, 2), (1, 2))
    expected = _square((5, 5), (0, 2), (0, 2))
    expected[1, 1] = False
    assert np.array_equal(boundary_map(mask), expected)
    assert not boundary_map(np.zeros((5, 5), bool)).any()


def test_boundary_f_measure_by_hand():
    # 10x10: tolerance ceil(0.008 * 14.14) = ceil(0.11) = 1 pixel, a plus-shaped disk.
    # gt square rows 1-2 x cols 1-2: map = rows 0-2 x cols 0-2 minus (1, 1), 8 px.
    # dt square rows 4-5 x cols 1-2: map = rows 3-5 x cols 0-2 minus (4, 1), 8 px.
    # Only gt's row 2 and dt's row 3 are within 1 pixel: 3 px each side.
    # precision = recall = 3/8, F = 2PR / (P + R) = 3/8.
    gt = _square((10, 10), (1, 2), (1, 2))
    dt = _square((10, 10), (4, 5), (1, 2))
    assert boundary_f_measure(gt, dt) == pytest.approx(3 / 8)
    # One pixel to the right: every boundary pixel is within the tolerance of the other's.
    assert boundary_f_measure(gt, _square((10, 10), (1, 2), (2, 3))) == 1.0
    # Far apart: no match, F = 0.
    assert boundary_f_measure(gt, _square((10, 10), (7, 8), (7, 8))) == 0.0


def test_boundary_f_measure_empty_cases():
    empty = np.zeros((10, 10), bool)
    square = _square((10, 10), (1, 2), (1, 2))
    assert boundary_f_measure(empty, empty) == 1.0
    assert boundary_f_measure(square, empty) == 0.0
    assert boundary_f_measure(empty, square) == 0.0


def test_masklet_j_and_f_skips_first_and_last_frames():
    gt = _square((10, 10), (1, 2), (1, 2))
    empty = np.zeros((10, 10), bool)
    # Frames 0 and 2 miss the object entirely (J = 0, F = 0); frame 1 is perfect (J = F = 1).
    gt_frames, dt_frames = [gt, gt, gt], [empty, gt, empty]
    skipped = masklet_j_and_f(gt_frames, dt_frames)
    assert (skipped.j, skipped.f, skipped.j_and_f, skipped.frames) == (1.0, 1.0, 1.0, 1)
    every = masklet_j_and_f(gt_frames, dt_frames, skip_first_and_last=False)
    assert every.j == pytest.approx(1 / 3) and every.f == pytest.approx(1 / 3)
    with pytest.raises(MetricError, match="no frame"):
        masklet_j_and_f([gt, gt], [gt, gt])
    with pytest.raises(MetricError, match="frames"):
        masklet_j_and_f([gt, gt, gt], [gt, gt])


def test_masklet_j_and_f_counts_from_the_first_appearance_in_either():
    # Six annotated frames; first and last are skipped, leaving frames 1-4.
    # Frame 1: absent from both -> not counted (the object has not appeared yet).
    # Frame 2: a false positive before the object appears -> counted, J = 0, F = 0.
    # Frame 3: the object appears, predicted exactly -> J = F = 1.
    # Frame 4: absent from both after it appeared -> counted, J = F = 1.
    # So J = F = (0 + 1 + 1) / 3 over 3 frames.
    gt = _square((10, 10), (1, 2), (1, 2))
    empty = np.zeros((10, 10), bool)
    gt_frames = [gt, empty, empty, gt, empty, gt]
    dt_frames = [gt, empty, gt, gt, empty, empty]
    scores = masklet_j_and_f(gt_frames, dt_frames)
    assert (scores.j, scores.f, scores.frames) == (pytest.approx(2 / 3), pytest.approx(2 / 3), 3)
    # The departing option counts frame 1 too (empty/empty = 1): (1 + 0 + 1 + 1) / 4.
    every = masklet_j_and_f(gt_frames, dt_frames, from_first_appearance=False)
    assert (every.j, every.frames) == (pytest.approx(3 / 4), 4)
    # Never in the ground truth on frames 1-4 (only on the skipped first frame): no score, even
    # with false positives, as the official evaluator leaves it out of its table.
    assert masklet_j_and_f([gt, empty, empty, empty, empty, empty], [gt, gt, gt, empty, empty, empty]) is None


def test_j_and_f_evaluator_averages_over_objects():
    gt = _square((10, 10), (1, 2), (1, 2))
    shifted = _square((10, 10), (4, 5), (1, 2))
    empty = np.zeros((10, 10), bool)
    evaluator = JAndFEvaluator(skip_first_and_last=False)
    # Object 1 perfect on one frame: J = 1, F = 1. Object 2 shifted: J = 0, F = 3/8 (as above).
    # Object 3 absent from both: no score, counted apart.
    evaluator.process([{"masks": [gt]}, {"masks": [gt]}], [{"masks": [gt]}, {"masks": [shifted]}])
    evaluator.process([{"masks": [empty]}], [{"masks": [empty]}])
    j, f = (1 + 0) / 2, (1 + 3 / 8) / 2
    assert evaluator.evaluate() == {
        "video": pytest.approx(
            {"J": j, "F": f, "J&F": (j + f) / 2, "objects": 2.0, "objects_without_ground_truth": 1.0}
        )
    }
    evaluator.reset()
    with pytest.raises(MetricError, match="no masklets"):
        evaluator.evaluate()
    assert JAndFEvaluator.from_config({"skip_first_and_last": False}).skip_first_and_last is False
    assert JAndFEvaluator.from_config({"from_first_appearance": False}).from_first_appearance is False
