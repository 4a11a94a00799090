"""engine.metrics.sav_eval: J&F on SA-V records equals sam2's sav_evaluator.

The first test uses the official SA-V example in ../shared/fixtures/sa-v (skipped where that folder
is absent; the second test makes its own record and runs everywhere). The prediction is the
official ground truth perturbed by fixed rules (below). Its expected figures come from two places
other than the code under test:
- sam2's own evaluator (`sav_dataset/sav_evaluator.py` at facebookresearch/sam2, run on PNG trees
  of the same ground truth and prediction; `scripts/sav_reference_check.py` reproduces the run):
  per-object J and F below, and its printed summary `Global score: J&F: 73.2 J: 67.6 F: 78.8`;
- hand counts: object 4 is lost on annotated frames 91..120, i.e. on 29 of the 119 scored frames
  1..119, and is exact elsewhere: J = F = 90 / 119. Object 3 appears only at frame 113; the
  prediction has a false positive on frames 100..112 (J = F = 0 there, 13 frames) and a 3-pixel
  dilation afterwards (boundary within the 8-pixel tolerance: F = 1, 7 frames): 20 frames count,
  F = 7 / 20.
"""

import json

import cv2
import numpy as np
import pytest

from engine import rle as rle_ops
from engine.metrics import MetricError, global_scores, sav_video_j_and_f
from tests.media_factory import SHARED_FIXTURES

OFFICIAL = SHARED_FIXTURES / "sa-v" / "sav_000001_manual.json"

# sam2 sav_evaluator on the perturbed official example (x 100), objects 000..004.
REFERENCE_J = [65.85209329670735, 88.06445062032081, 84.03361344537815, 24.496514994535083, 75.63025210084034]
REFERENCE_F = [99.96969279515085, 99.18820630057247, 84.03361344537815, 35.0, 75.63025210084034]


def perturbed(record: dict) -> dict:
    """The fixed perturbation: object 0 shifted 6 px right; object 1 eroded (11x11) on odd frames;
    object 2 missed on frames 40..59; object 3 a 40x40 false positive on frames 100..112 and
    dilated (7x7) elsewhere; object 4 lost from frame 91 on."""
    out = []
    for i, frame in enumerate(record["masklet"]):
        row = []
        for j, rle in enumerate(frame):
            mask = rle_ops.decode(rle)
            if j == 0:
                moved = np.zeros_like(mask)
                moved[:, 6:] = mask[:, :-6]
            elif j == 1:
                moved = cv2.erode(mask.astype(np.uint8), np.ones((11, 11), np.uint8)).astype(bool) if i % 2 else mask
            elif j == 2:
                moved = np.zeros_like(mask) if 40 <= i < 60 else mask
            elif j == 3:
                if 100 <= i < 113:
                    moved = np.zeros_like(mask)
                    moved[400:440, 200:240] = True
                else:
                    moved = cv2.dilate(mask.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
            else:
                moved = np.zeros_like(mask) if i >= 91 else mask
            row.append(rle_ops.encode(moved))
        out.append(row)
    return {"masklet": out, "masklet_id": list(record["masklet_id"])}


@pytest.mark.skipif(not OFFICIAL.exists(), reason="uses ../shared/fixtures/sa-v; the next test runs without it")
def test_j_and_f_on_the_official_example_equals_sam2s_evaluator():
    record = json.loads(OFFICIAL.read_text())
    assert record["masklet_first_appeared_frame"][3] == 113.0  # the late object the test relies on
    video = sav_video_j_and_f(record, perturbed(record))
    for position, masklet_id in enumerate(record["masklet_id"]):
        scores = video.objects[masklet_id]
        assert 100 * scores.j == pytest.approx(REFERENCE_J[position], abs=1e-9)
        assert 100 * scores.f == pytest.approx(REFERENCE_F[position], abs=1e-9)
    # Hand counts (module docstring).
    assert video.objects[4].j == pytest.approx(90 / 119) and video.objects[4].f == pytest.approx(90 / 119)
    assert video.objects[3].frames == 20 and video.objects[3].f == pytest.approx(7 / 20)
    assert global_scores([video]).summary() == "Global score: J&F: 73.2 J: 67.6 F: 78.8"


def _square(top: int, left: int, side: int = 4) -> dict:
    mask = np.zeros((24, 32), bool)
    mask[top : top + side, left : left + side] = True
    return rle_ops.encode(mask)


def test_j_and_f_on_a_record_made_here():
    empty = rle_ops.empty(24, 32)
    # Seven annotated frames, two objects; frames 1..5 are scored.
    # Object 10 is in the ground truth from frame 4 on; the prediction shows it from frame 2 (false
    # positives on frames 2 and 3: J = F = 0), exact on 4 and 5: J = F = 2/4.
    # Object 11 is exact on frames 0..3 then gone from both: empty/empty frames after it appeared
    # count as 1, so J = F = 1 over the 5 frames.
    # Object 12 appears in the ground truth only on the last (skipped) frame: no score.
    gt_10 = [empty, empty, empty, empty, _square(2, 2), _square(2, 3), _square(2, 4)]
    dt_10 = [empty, empty, _square(9, 9), _square(9, 9), _square(2, 2), _square(2, 3), empty]
    gt_11 = [_square(10, 10)] * 4 + [empty] * 3
    gt_12 = [empty] * 6 + [_square(15, 20)]
    gt = {
        "video_id": "here",
        "masklet_id": [10, 11, 12],
        "masklet": [[a, b, c] for a, b, c in zip(gt_10, gt_11, gt_12, strict=True)],
    }
    prediction = {
        "masklet_id": [12, 10, 11, 99],  # other order, an extra id (ignored)
        "masklet": [[d, a, b, empty] for a, b, d in zip(dt_10, gt_11, [empty] * 7, strict=True)],
    }
    video = sav_video_j_and_f(gt, prediction)
    assert video.objects[12] is None
    assert (video.objects[10].j, video.objects[10].f, video.objects[10].frames) == (0.5, 0.5, 4)
    assert (video.objects[11].j, video.objects[11].f, video.objects[11].frames) == (1.0, 1.0, 5)
    overall = global_scores([video])
    assert (overall.j, overall.f, overall.objects) == (0.75, 0.75, 2)
    assert overall.summary() == "Global score: J&F: 75.0 J: 75.0 F: 75.0"
    with pytest.raises(MetricError, match=r"lacks masklet ids \[11\]"):
        sav_video_j_and_f(gt, {"masklet_id": [10, 12], "masklet": [[a, empty] for a in dt_10]})
    with pytest.raises(MetricError, match="annotated frames"):
        sav_video_j_and_f(gt, {**prediction, "masklet": prediction["masklet"][:6]})
