"""engine.metrics.masks: IoU, Boundary IoU and stability score on small masks worked out by hand."""

import numpy as np
import pytest

from engine.metrics import (
    MetricError,
    boundary,
    boundary_iou,
    boundary_width,
    mask_iou,
    stability_score,
)


def _square(shape, rows, cols):
    mask = np.zeros(shape, bool)
    mask[rows[0] : rows[1] + 1, cols[0] : cols[1] + 1] = True
    return mask


# Two 4x4 squares in a 10x10 image, the second one column to the right:
# A = rows 3-6, cols 3-6; B = rows 3-6, cols 4-7.
SQUARE_A = _square((10, 10), (3, 6), (3, 6))
SQUARE_B = _square((10, 10), (3, 6), (4, 7))


def test_mask_iou_by_hand():
    # intersection: rows 3-6 x cols 4-6 = 4 * 3 = 12; union = 16 + 16 - 12 = 20.
    assert mask_iou(SQUARE_A, SQUARE_B) == pytest.approx(12 / 20)
    assert mask_iou(SQUARE_A, SQUARE_A) == 1.0
    empty = np.zeros((10, 10), bool)
    assert mask_iou(empty, empty) == 1.0  # nothing to find, nothing found
    assert mask_iou(SQUARE_A, empty) == 0.0
    assert mask_iou(SQUARE_A.astype(np.uint8), SQUARE_B) == pytest.approx(0.6)


def test_mask_iou_rejects_bad_input():
    with pytest.raises(MetricError, match="differ"):
        mask_iou(SQUARE_A, np.zeros((10, 11), bool))
    with pytest.raises(MetricError, match="bool"):
        mask_iou(SQUARE_A.astype(np.float32), SQUARE_B)
    with pytest.raises(MetricError, match="HxW"):
        mask_iou(SQUARE_A[None], SQUARE_B[None])


def test_boundary_width_by_hand():
    # 10x10: diagonal sqrt(200) = 14.14; 0.02 * 14.14 = 0.28 rounds to 0, raised to the minimum 1.
    assert boundary_width(10, 10) == 1
    # 60x80: diagonal 100; 0.02 * 100 = 2.
    assert boundary_width(60, 80) == 2
    # 30x40: diagonal 50; 0.05 * 50 = 2.5, and Python's round sends halves to even: 2, not 3.
    assert boundary_width(30, 40, dilation_ratio=0.05) == 2
    with pytest.raises(MetricError):
        boundary_width(10, 10, dilation_ratio=0)


def test_boundary_of_a_square_is_its_outer_ring():
    # d = 1 in 10x10. Eroding rows 3-6 x cols 3-6 once leaves rows 4-5 x cols 4-5 (4 pixels),
    # so the boundary is the 16 - 4 = 12 pixel ring.
    ring = SQUARE_A & ~_square((10, 10), (4, 5), (4, 5))
    assert np.array_equal(boundary(SQUARE_A), ring)
    assert ring.sum() == 12


def test_boundary_counts_the_image_edge_thanks_to_zero_padding():
    # A full 10x10 mask: with one pixel of zero padding, one erosion removes the outer ring,
    # leaving 8 x 8 = 64; the boundary is 100 - 64 = 36 pixels along the image edge.
    full = np.ones((10, 10), bool)
    band = boundary(full)
    assert band.sum() == 36
    assert band[0].all() and band[-1].all() and band[:, 0].all() and band[:, -1].all()
    assert not band[1:-1, 1:-1].any()


def test_boundary_band_is_d_pixels_wide():
    # 60x80 gives d = 2. A 10x10 square (rows 2-11, cols 2-11) eroded twice keeps rows 4-9 x
    # cols 4-9 = 36 pixels, so the band has 100 - 36 = 64 pixels.
    square = _square((60, 80), (2, 11), (2, 11))
    band = boundary(square)
    assert band.sum() == 64
    assert np.array_equal(band, square & ~_square((60, 80), (4, 9), (4, 9)))


def test_boundary_iou_by_hand():
    # Rings (d = 1) of A and B, 12 pixels each. Rows 3 and 6 are full rows of both rings:
    # A cols 3-6, B cols 4-7, shared cols 4-6: 3 pixels each, 6 in all. In rows 4-5, A's ring has
    # cols 3 and 6, B's ring cols 4 and 7: nothing shared. IoU = 6 / (12 + 12 - 6) = 1/3,
    # harsher than the mask IoU of 0.6 for the same shift.
    assert boundary_iou(SQUARE_A, SQUARE_B) == pytest.approx(1 / 3)
    assert boundary_iou(SQUARE_A, SQUARE_A) == 1.0
    empty = np.zeros((10, 10), bool)
    assert boundary_iou(empty, empty) == 1.0
    assert boundary_iou(SQUARE_A, empty) == 0.0


def test_boundary_iou_sees_a_hole():
    # gt: 6x6 square rows 2-7 x cols 2-7 (36 px); ring = 36 - 16 (rows 3-6 x cols 3-6) = 20 px.
    # dt: the same square with a hole at (4, 4): 35 px. Its erosion keeps the 16 inner pixels except
    # the 9 around the hole (rows 3-5 x cols 3-5): 7 px, so its boundary has 35 - 7 = 28 px and
    # contains gt's ring. Boundary IoU = 20 / 28 = 5/7 while mask IoU is 35/36.
    gt = _square((10, 10), (2, 7), (2, 7))
    dt = gt.copy()
    dt[4, 4] = False
    assert boundary(dt).sum() == 28
    assert boundary_iou(gt, dt) == pytest.approx(5 / 7)
    assert mask_iou(gt, dt) == pytest.approx(35 / 36)


def test_stability_score_by_hand():
    logits = np.array([[-2.0, -0.5, 0.5, 1.5], [3.0, 0.0, -1.0, 2.0]])
    # > +1: 1.5, 3, 2 -> 3 pixels. > -1: -0.5, 0.5, 1.5, 3, 0, 2 -> 6 pixels (-1 is not > -1).
    assert stability_score(logits) == pytest.approx(3 / 6)
    # threshold 1: > 2: only 3 -> 1 pixel; > 0: 0.5, 1.5, 3, 2 -> 4 pixels.
    assert stability_score(logits, mask_threshold=1.0) == pytest.approx(1 / 4)
    # offset 0: both cuts are the same set.
    assert stability_score(logits, offset=0.0) == 1.0
    batch = stability_score(np.stack([logits, np.full((2, 4), 5.0), np.full((2, 4), -5.0)]))
    assert batch.shape == (3,)
    # all logits above +1 -> 1.0; none above -1 -> 0.0 (SAM's 0/0, dropped by its filter).
    assert batch.tolist() == pytest.approx([0.5, 1.0, 0.0])
    with pytest.raises(MetricError):
        stability_score(np.zeros(4))
