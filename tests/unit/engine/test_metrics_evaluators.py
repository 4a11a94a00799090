"""engine.metrics evaluators and click figures: the reset / process / evaluate protocol."""

import numpy as np
import pytest

from engine.metrics import (
    BoundaryIoUEvaluator,
    ClicksEvaluator,
    MaskIoUEvaluator,
    MetricError,
    clicks_to_reach,
    iou_after,
    number_of_clicks,
)


def _square(shape, rows, cols):
    mask = np.zeros(shape, bool)
    mask[rows[0] : rows[1] + 1, cols[0] : cols[1] + 1] = True
    return mask


SQUARE_A = _square((10, 10), (3, 6), (3, 6))
SQUARE_B = _square((10, 10), (3, 6), (4, 7))  # one column right of A


def test_mask_iou_evaluator_accumulates_batches_and_resets():
    evaluator = MaskIoUEvaluator()
    # Batch 1: A vs B = 12 / 20 = 0.6, A vs A = 1.0. Batch 2: A vs empty = 0.0. Mean = 1.6 / 3.
    evaluator.process([{"mask": SQUARE_A}, {"mask": SQUARE_A}], [{"mask": SQUARE_B}, {"mask": SQUARE_A}])
    evaluator.process([{"mask": SQUARE_A}], [{"mask": np.zeros((10, 10), bool)}])
    assert evaluator.evaluate() == {"mask": {"mIoU": pytest.approx(1.6 / 3)}}
    evaluator.reset()
    with pytest.raises(MetricError, match="no masks"):
        evaluator.evaluate()
    with pytest.raises(MetricError, match="outputs"):
        evaluator.process([{"mask": SQUARE_A}], [])
    with pytest.raises(MetricError, match="'mask'"):
        evaluator.process([{"gt": SQUARE_A}], [{"mask": SQUARE_A}])


def test_boundary_iou_evaluator():
    evaluator = BoundaryIoUEvaluator.from_config({"dilation_ratio": 0.02})
    # A vs B: boundary IoU 1/3 (worked out in test_metrics_masks), mask IoU 0.6, min 1/3.
    # A vs A: 1 and 1. Means: boundary (1/3 + 1) / 2 = 2/3, min the same.
    evaluator.process([{"mask": SQUARE_A}, {"mask": SQUARE_A}], [{"mask": SQUARE_B}, {"mask": SQUARE_A}])
    assert evaluator.evaluate() == {"boundary": {"mBoundaryIoU": pytest.approx(2 / 3), "mMinIoU": pytest.approx(2 / 3)}}


def test_min_iou_takes_whichever_iou_is_lower():
    # gt full 10x10 (boundary, d = 1: the outer ring of 100 - 64 = 36 px).
    # dt1 = that ring alone: it has no interior, so its boundary is itself, the same 36 px:
    #   boundary IoU 1.0 but mask IoU 36 / 100 = 0.36; min = 0.36.
    # dt2 = left half (cols 0-4, 50 px): mask IoU 0.5. Its erosion keeps rows 1-8 x cols 1-3 (24 px),
    #   boundary 50 - 24 = 26 px; shared with gt's ring: rows 0 and 9 x cols 0-4 (10) and col 0 in
    #   rows 1-8 (8) = 18. Boundary IoU = 18 / (36 + 26 - 18) = 18/44 (0.41); min = 18/44.
    full = np.ones((10, 10), bool)
    ring = full.copy()
    ring[1:-1, 1:-1] = False
    half = np.zeros((10, 10), bool)
    half[:, :5] = True
    evaluator = BoundaryIoUEvaluator()
    evaluator.process([{"mask": full}, {"mask": full}], [{"mask": ring}, {"mask": half}])
    assert evaluator.evaluate() == {
        "boundary": {"mBoundaryIoU": pytest.approx((1.0 + 18 / 44) / 2), "mMinIoU": pytest.approx((0.36 + 18 / 44) / 2)}
    }
    evaluator.reset()
    # A vs A without its last column (rows 3-6 x cols 3-5, 12 px): mask IoU 12/16 = 0.75.
    # A's ring has 12 px; dt's ring is rows 3-6 x cols 3-5 minus rows 4-5 x col 4 = 10 px, all on
    # A's ring except (4, 5) and (5, 5): 8 shared. Boundary IoU = 8 / (12 + 10 - 8) = 8/14.
    evaluator.process([{"mask": SQUARE_A}], [{"mask": _square((10, 10), (3, 6), (3, 5))}])
    assert evaluator.evaluate() == {
        "boundary": {"mBoundaryIoU": pytest.approx(8 / 14), "mMinIoU": pytest.approx(8 / 14)}
    }


def test_click_figures_by_hand():
    curve = [0.5, 0.8, 0.86, 0.91]
    assert clicks_to_reach(curve, 0.85) == 3
    assert clicks_to_reach(curve, 0.9) == 4
    assert clicks_to_reach(curve, 0.95) is None
    assert number_of_clicks(curve, 0.95) == 20  # not reached: counted as the cap
    assert number_of_clicks([0.0] * 21 + [1.0], 0.9) == 20  # reached only after the cap
    assert iou_after(curve, 1) == 0.5
    assert iou_after(curve, 5) == 0.91  # the annotator stopped at 4 clicks; the last IoU carries
    with pytest.raises(MetricError):
        iou_after([], 1)
    with pytest.raises(MetricError):
        iou_after(curve, 0)


def test_clicks_evaluator_by_hand():
    evaluator = ClicksEvaluator()
    evaluator.process([{}, {}], [{"ious": [0.5, 0.8, 0.86, 0.91]}, {"ious": [0.1] * 20}])
    # NoC@85: (3 + 20) / 2 = 11.5; NoC@90: (4 + 20) / 2 = 12.
    # mIoU@1: (0.5 + 0.1) / 2 = 0.3; mIoU@3: (0.86 + 0.1) / 2 = 0.48; mIoU@5: (0.91 + 0.1) / 2 = 0.505.
    assert evaluator.evaluate() == {
        "clicks": pytest.approx({"NoC@85": 11.5, "NoC@90": 12.0, "mIoU@1": 0.3, "mIoU@3": 0.48, "mIoU@5": 0.505})
    }


def test_clicks_evaluator_config_and_checks():
    evaluator = ClicksEvaluator.from_config({"max_clicks": 5, "thresholds": [0.5], "iou_at": [2]})
    evaluator.process([{}], [{"ious": [0.1, 0.2]}])
    # Never reaches 0.5: NoC = the cap 5; after 2 clicks IoU 0.2.
    assert evaluator.evaluate() == {"clicks": {"NoC@50": 5.0, "mIoU@2": 0.2}}
    with pytest.raises(MetricError):
        ClicksEvaluator(max_clicks=3, iou_at=(5,))
    with pytest.raises(MetricError, match="ious"):
        evaluator.process([{}], [{}])
    with pytest.raises(MetricError, match="no click curves"):
        ClicksEvaluator().evaluate()
