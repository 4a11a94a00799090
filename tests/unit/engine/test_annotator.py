"""engine.annotator: where the simulated annotator clicks, and how simulate drives a segmenter."""

import numpy as np
import pytest

from engine.annotator import AnnotatorError, ClickTrace, next_click, simulate
from engine.metrics import ClicksEvaluator


def _square(shape, rows, cols):
    mask = np.zeros(shape, bool)
    mask[rows[0] : rows[1] + 1, cols[0] : cols[1] + 1] = True
    return mask


def test_first_click_is_the_object_centre():
    # 5x5 square rows 2-6, cols 5-9: the centre (row 4, col 7) is 3 px from the outside on every
    # side, every other pixel is nearer. Clicks are (x, y, label).
    gt = _square((12, 15), (2, 6), (5, 9))
    assert next_click(gt) == (7, 4, 1)
    assert next_click(gt, np.zeros_like(gt)) == (7, 4, 1)


def test_image_border_counts_as_outside():
    # A 5x5 square in the top-left corner: with the border as outside, its centre is (2, 2).
    # (Without the zero padding the distance transform would put it in the corner.)
    gt = _square((20, 20), (0, 4), (0, 4))
    assert next_click(gt) == (2, 2, 1)


def test_clicks_the_largest_region_positive_on_a_miss():
    # Object = a 5x5 square (rows 2-6, cols 2-6) and a 7x7 square (rows 10-16, cols 10-16).
    gt = _square((20, 20), (2, 6), (2, 6)) | _square((20, 20), (10, 16), (10, 16))
    assert next_click(gt) == (13, 13, 1)  # the 7x7 part's centre
    # The prediction already has the 7x7 part: the 5x5 miss is all that is left.
    assert next_click(gt, _square((20, 20), (10, 16), (10, 16))) == (4, 4, 1)


def test_clicks_negative_on_a_larger_spill():
    # Object 5x5 at rows 2-6, cols 2-6. The prediction finds 4 of its 5 rows (a 1x5 miss, row 6)
    # and spills a 3x3 block at rows 12-14, cols 12-14 (9 px > 5 px): negative click at (13, 13).
    gt = _square((20, 20), (2, 6), (2, 6))
    pred = _square((20, 20), (2, 5), (2, 6)) | _square((20, 20), (12, 14), (12, 14))
    assert next_click(gt, pred) == (13, 13, 0)
    # A 1x1 spill is smaller than the 5 px miss: positive click on the missed row.
    pred = _square((20, 20), (2, 5), (2, 6)) | _square((20, 20), (13, 13), (13, 13))
    x, y, label = next_click(gt, pred)
    assert (y, label) == (6, 1) and 2 <= x <= 6


def test_next_click_errors():
    gt = _square((10, 10), (2, 4), (2, 4))
    with pytest.raises(AnnotatorError, match="nothing to correct"):
        next_click(gt, gt.copy())
    with pytest.raises(AnnotatorError, match="empty"):
        next_click(np.zeros((10, 10), bool))
    with pytest.raises(AnnotatorError, match="differs"):
        next_click(gt, np.zeros((10, 11), bool))
    with pytest.raises(AnnotatorError, match="bool"):
        next_click(gt.astype(np.float32))


class ScriptedSegmenter:
    """Returns the given masks in turn and records what simulate passed in."""

    def __init__(self, masks):
        self.masks = list(masks)
        self.calls = []

    def __call__(self, points, labels, prev_logits):
        self.calls.append((points.copy(), labels.copy(), prev_logits))
        mask = self.masks[min(len(self.calls), len(self.masks)) - 1]
        return mask, np.full((4, 4), float(len(self.calls)))  # logits tagged with the call number


def test_simulate_feeds_clicks_and_logits_back_and_records_ious():
    # Object: 11x11 square rows 5-15, cols 5-15 (121 px) in a 24x24 image.
    gt = _square((24, 24), (5, 15), (5, 15))
    step1 = _square((24, 24), (5, 10), (5, 15))  # 66 px: IoU 66/121
    step2 = _square((24, 24), (5, 14), (5, 15))  # 110 px: IoU 110/121 = 0.909
    segmenter = ScriptedSegmenter([step1, step2, gt])
    trace = simulate(segmenter, gt)

    # Click 1: the object's centre (10, 10). Click 2: the 5x11 miss (rows 11-15) has its far-most
    # pixels on row 13, 3 px from rows 10 and 16; cols 7-13 tie and the first in raster order wins.
    # Click 3: the one-row miss (row 15): every pixel is 1 px from the outside, first is col 5.
    assert trace.clicks == [(10, 10, 1), (7, 13, 1), (5, 15, 1)]
    assert trace.ious == pytest.approx([66 / 121, 110 / 121, 1.0])
    # The third mask equals the object, so the session ends at 3 clicks, not 20.
    assert len(segmenter.calls) == 3
    assert trace.clicks_to_reach == {0.85: 2, 0.9: 2}
    assert trace.number_of_clicks(0.85) == 2

    points, labels, prev_logits = segmenter.calls[2]
    assert points.tolist() == [[10, 10], [7, 13], [5, 15]] and points.dtype == np.float32
    assert labels.tolist() == [1, 1, 1] and labels.dtype == np.int64
    assert segmenter.calls[0][2] is None
    assert prev_logits[0, 0] == 2.0  # the logits of call 2 went into call 3


def test_simulate_runs_to_max_clicks_when_never_good_enough():
    gt = _square((12, 12), (3, 7), (3, 7))
    segmenter = ScriptedSegmenter([np.zeros((12, 12), bool)])
    trace = simulate(segmenter, gt, max_clicks=20)
    assert len(trace.ious) == 20 and trace.ious == [0.0] * 20
    assert trace.clicks_to_reach == {0.85: None, 0.9: None}
    assert trace.number_of_clicks(0.9) == 20


def test_simulate_can_stop_at_the_highest_threshold():
    gt = _square((24, 24), (5, 15), (5, 15))
    step2 = _square((24, 24), (5, 14), (5, 15))  # IoU 0.909 >= 0.9
    segmenter = ScriptedSegmenter([np.zeros((24, 24), bool), step2, gt])
    trace = simulate(segmenter, gt, stop_when_reached=True)
    assert len(segmenter.calls) == 2
    assert trace.clicks_to_reach == {0.85: 2, 0.9: 2}


def test_simulate_checks_the_segmenter_output():
    gt = _square((12, 12), (3, 7), (3, 7))
    with pytest.raises(AnnotatorError, match="shape"):
        simulate(ScriptedSegmenter([np.zeros((12, 13), bool)]), gt)
    with pytest.raises(AnnotatorError, match="max_clicks"):
        simulate(ScriptedSegmenter([gt]), gt, max_clicks=0)


def _paint_segmenter(shape, radius):
    """A crude interactive segmenter: disks around positive clicks minus disks around negative ones."""
    yy, xx = np.mgrid[: shape[0], : shape[1]]

    def segment(points, labels, prev_logits):
        mask = np.zeros(shape, bool)
        for (x, y), label in zip(points, labels, strict=False):
            disk = (xx - x) ** 2 + (yy - y) ** 2 <= radius**2
            mask = mask | disk if label == 1 else mask & ~disk
        return mask, mask.astype(np.float32)

    return segment


def test_simulate_with_a_painting_segmenter_improves_and_feeds_the_clicks_evaluator():
    # An L-shaped object that one disk cannot cover: corrective clicks must raise the IoU.
    gt = _square((40, 40), (5, 34), (5, 14)) | _square((40, 40), (25, 34), (5, 34))
    trace = simulate(_paint_segmenter(gt.shape, radius=6), gt, max_clicks=20)
    assert len(trace.ious) == 20
    # Each of the first clicks lands in the largest miss and paints most of it: IoU keeps rising.
    assert all(later > earlier for earlier, later in zip(trace.ious[:5], trace.ious[1:5], strict=False))
    assert all(label in (0, 1) for _, _, label in trace.clicks)
    assert all(gt[y, x] == bool(label) for x, y, label in trace.clicks)  # positives on the object
    evaluator = ClicksEvaluator()
    evaluator.process([{}], [{"ious": trace.ious}])
    figures = evaluator.evaluate()["clicks"]
    assert figures["NoC@85"] == trace.number_of_clicks(0.85)
    assert figures["mIoU@1"] == pytest.approx(trace.ious[0])


def test_click_trace_defaults():
    trace = ClickTrace()
    assert trace.ious == [] and trace.clicks == [] and trace.clicks_to_reach == {}
