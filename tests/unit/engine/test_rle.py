"""engine.rle: the pure counts codec against pycocotools, checks on untrusted RLE, and mask ops."""

import numpy as np
import pytest
from pycocotools import mask as coco_mask

from engine import rle as rle_ops
from engine.rle import RleError

# pycocotools' decode (used here as the reference) warns under numpy 2; engine never calls it.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


def _coco_encode(mask):
    return coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))


def _random_masks(seed, count):
    """Random masks of varied shapes and densities: noise, blocks, full, empty, one pixel."""
    rng = np.random.default_rng(seed)
    for index in range(count):
        height, width = (int(v) for v in rng.integers(1, 60, size=2))
        kind = index % 5
        if kind == 0:
            mask = rng.random((height, width)) < rng.random()
        elif kind == 1:
            mask = np.zeros((height, width), bool)
            y0, x0 = rng.integers(0, height), rng.integers(0, width)
            mask[y0 : y0 + rng.integers(1, 20), x0 : x0 + rng.integers(1, 20)] = True
        elif kind == 2:
            mask = np.ones((height, width), bool)
        elif kind == 3:
            mask = np.zeros((height, width), bool)
        else:
            mask = np.zeros((height, width), bool)
            mask[rng.integers(0, height), rng.integers(0, width)] = True
        yield mask


# --- codec -----------------------------------------------------------------------------------------


def test_counts_codec_matches_pycocotools_on_random_masks():
    for mask in _random_masks(seed=1, count=400):
        encoded = _coco_encode(mask)
        runs = rle_ops.counts_to_runs(encoded["counts"])
        pycoco_runs = coco_mask.decode(encoded).flatten(order="F")
        # Rebuild the mask from our runs and compare with pycocotools' decoding.
        rebuilt = np.repeat(np.arange(len(runs)) % 2, runs)
        assert np.array_equal(rebuilt, pycoco_runs)
        assert rle_ops.runs_to_counts(runs) == encoded["counts"].decode()


def test_runs_to_counts_matches_pycocotools_on_large_and_irregular_runs():
    # Large runs make multi-character values and negative deltas; zero-length inner runs are kept
    # as given by both encoders (pycocotools' frPyObjects does not merge them).
    rng = np.random.default_rng(2)
    for _ in range(200):
        runs = rng.integers(0, 5_000_000, size=int(rng.integers(1, 40)))
        runs[rng.random(runs.size) < 0.1] = 0
        height = int(runs.sum()) or 1
        if runs.sum() == 0:
            runs[0] = 1
        pycoco = coco_mask.frPyObjects({"size": [height, 1], "counts": runs.tolist()}, height, 1)
        counts = rle_ops.runs_to_counts(runs)
        assert counts == pycoco["counts"].decode()
        assert np.array_equal(rle_ops.counts_to_runs(counts), runs)


def test_counts_codec_handles_the_largest_runs_pycocotools_holds():
    runs = [0, (1 << 32) - 1, 5, (1 << 32) - 2, 0]
    counts = rle_ops.runs_to_counts(runs)
    assert rle_ops.counts_to_runs(counts).tolist() == runs
    assert rle_ops.runs_to_counts([]) == ""
    assert rle_ops.counts_to_runs("").tolist() == []


@pytest.mark.parametrize(
    "counts, message",
    [
        ("5 2", "outside"),  # space is below "0"
        ("5p", "outside"),  # "p" is above "o"
        ("5é", "ASCII"),
        ("5Q", "truncated"),  # "Q" = 48 + 33: a continuation with nothing after it
        ("QQQQQQQ0", "more than 7"),
    ],
)
def test_counts_to_runs_rejects_malformed_strings(counts, message):
    with pytest.raises(RleError, match=message):
        rle_ops.counts_to_runs(counts)


def test_runs_to_counts_rejects_bad_runs():
    for runs, message in [([1, -2], r"\[0, "), ([1.5, 2.0], "integers"), ([[1, 2]], "1-D"), ([1 << 32], r"\[0, ")]:
        with pytest.raises(RleError, match=message):
            rle_ops.runs_to_counts(runs)


# --- validate_rle ------------------------------------------------------------------------------------


def test_validate_rle_normalises_to_pycocotools_encoding():
    for mask in _random_masks(seed=3, count=100):
        expected = _coco_encode(mask)["counts"].decode()
        size = list(mask.shape)
        runs = rle_ops.counts_to_runs(expected).tolist()
        assert rle_ops.validate_rle({"size": size, "counts": expected}) == {"size": size, "counts": expected}
        assert rle_ops.validate_rle({"size": size, "counts": expected.encode()})["counts"] == expected
        assert rle_ops.validate_rle({"size": tuple(size), "counts": runs})["counts"] == expected


def test_validate_rle_merges_zero_length_inner_runs_and_non_minimal_values():
    # 3x3, uncompressed [2, 0, 3, 4]: zeros 2, ones 0, zeros 3, ones 4 == zeros 5, ones 4.
    mask = np.zeros(9, bool)
    mask[5:] = True
    expected = _coco_encode(mask.reshape(3, 3, order="F"))["counts"].decode()
    assert rle_ops.validate_rle({"size": [3, 3], "counts": [2, 0, 3, 4]})["counts"] == expected
    # "Q0" writes 1 with a needless second character (33 -> payload 1, more; then 0).
    assert rle_ops.validate_rle({"size": [1, 2], "counts": "Q01"}) == {"size": [1, 2], "counts": "11"}
    # A mask starting with ones keeps its leading zero-length run.
    assert rle_ops.validate_rle({"size": [2, 2], "counts": [0, 0, 0, 4]})["counts"] == "04"


@pytest.mark.parametrize(
    "rle, message",
    [
        ([3, 3], "must be a dict"),
        ({"size": [3, 3]}, "exactly the keys"),
        ({"size": [3, 3], "counts": "9", "iscrowd": 0}, "exactly the keys"),
        ({"size": [3], "counts": "9"}, r"\[h, w\]"),
        ({"size": "3x3", "counts": "9"}, r"\[h, w\]"),
        ({"size": [3.0, 3], "counts": "9"}, "integers"),
        ({"size": [True, 3], "counts": "9"}, "integers"),
        ({"size": [0, 3], "counts": "0"}, "positive"),
        ({"size": [-3, -3], "counts": "9"}, "positive"),
        ({"size": [100_000, 100_000], "counts": "0"}, "exceeds"),
        ({"size": [3, 3], "counts": 9}, "str or a list"),
        ({"size": [3, 3], "counts": "8"}, "sum to 8"),
        ({"size": [3, 3], "counts": "?"}, "longer than the mask"),  # "?" = 48 + 15: one run of 15
        ({"size": [3, 3], "counts": "44"}, "sum to 8"),
        ({"size": [3, 3], "counts": [4, 4]}, "sum to 8"),
        ({"size": [3, 3], "counts": [10, -1]}, r"\[0, "),
        ({"size": [3, 3], "counts": [4.5, 4.5]}, "integers"),
        ({"size": [3, 3], "counts": [True, 8]}, "integers"),
        # "O" = 48 + 31: one character, sign bit set, so -1. Runs [10, -1] sum to 9 but are illegal.
        ({"size": [3, 3], "counts": ":O"}, "negative"),
        ({"size": [3, 3], "counts": "4 5"}, "outside"),
        ({"size": [3, 3], "counts": "4Q"}, "truncated"),
    ],
)
def test_validate_rle_rejects_bad_input(rle, message):
    with pytest.raises(RleError, match=message):
        rle_ops.validate_rle(rle)


def test_validate_rle_checks_expected_size_and_pixel_limit():
    rle = rle_ops.empty(4, 5)
    assert rle_ops.validate_rle(rle, expected_size=(4, 5)) == rle
    with pytest.raises(RleError, match="differs from the expected"):
        rle_ops.validate_rle(rle, expected_size=(5, 4))
    with pytest.raises(RleError, match="exceeds"):
        rle_ops.validate_rle(rle, max_pixels=19)


def test_checking_never_calls_pycocotools(monkeypatch):
    class Forbidden:
        def __getattr__(self, name):
            raise AssertionError(f"pycocotools.{name} called while checking")

    monkeypatch.setattr(rle_ops, "coco_mask", Forbidden())
    good = {"size": [3, 3], "counts": [2, 3, 4]}
    assert rle_ops.validate_rle(good)["counts"] == rle_ops.runs_to_counts([2, 3, 4])
    assert rle_ops.decode(good).sum() == 3
    assert rle_ops.area(good) == 3
    for bad in ({"size": [3, 3], "counts": ":O"}, {"size": [3, 3], "counts": "4Q"}):
        with pytest.raises(RleError):
            rle_ops.decode(bad)


# --- encode / decode and measures ---------------------------------------------------------------------


def test_encode_decode_round_trip_and_pycocotools_agreement():
    for mask in _random_masks(seed=4, count=200):
        rle = rle_ops.encode(mask)
        assert rle == {"size": list(mask.shape), "counts": _coco_encode(mask)["counts"].decode()}
        assert isinstance(rle["counts"], str)
        decoded = rle_ops.decode(rle)
        assert decoded.dtype == bool and decoded.flags.c_contiguous
        assert np.array_equal(decoded, mask)
        assert rle_ops.area(rle) == int(mask.sum())
        assert isinstance(rle_ops.area(rle), int)
        assert rle_ops.bbox_coco(rle) == coco_mask.toBbox(_coco_encode(mask)).tolist()


def test_encode_accepts_zero_one_integers_and_rejects_other_arrays():
    mask = np.array([[0, 1], [1, 1]], dtype=np.uint8)
    assert rle_ops.encode(mask) == rle_ops.encode(mask.astype(bool))
    for bad in (
        np.zeros((2, 2), np.float32),
        np.full((2, 2), 2, np.uint8),
        np.zeros((2, 2, 1), bool),
        np.zeros((0, 3), bool),
    ):
        with pytest.raises(RleError):
            rle_ops.encode(bad)


def test_bboxes_follow_coco_and_sam_conventions():
    mask = np.zeros((10, 12), bool)
    mask[2:5, 3:9] = True  # rows 2..4, columns 3..8
    mask[7, 1] = True  # row 7, column 1
    rle = rle_ops.encode(mask)
    # x from column 1 to 8, y from row 2 to 7.
    assert rle_ops.bbox_xyxy(rle) == [1, 2, 8, 7]
    assert rle_ops.bbox_coco(rle) == [1.0, 2.0, 8.0, 6.0]  # w = 8 - 1 + 1, h = 7 - 2 + 1
    # A run that crosses from the bottom of column 0 into the top of column 1.
    crossing = np.zeros((4, 3), bool)
    crossing[3, 0] = crossing[0, 1] = True
    assert rle_ops.bbox_xyxy(rle_ops.encode(crossing)) == [0, 0, 1, 3]
    assert rle_ops.bbox_coco(rle_ops.empty(4, 4)) == [0.0, 0.0, 0.0, 0.0]
    assert rle_ops.bbox_xyxy(rle_ops.empty(4, 4)) == [0, 0, 0, 0]


def test_bbox_xyxy_matches_pixel_extent_on_random_masks():
    for mask in _random_masks(seed=5, count=150):
        if not mask.any():
            continue
        rows, cols = np.nonzero(mask)
        assert rle_ops.bbox_xyxy(rle_ops.encode(mask)) == [cols.min(), rows.min(), cols.max(), rows.max()]


def test_empty():
    rle = rle_ops.empty(3, 7)
    assert rle == {"size": [3, 7], "counts": _coco_encode(np.zeros((3, 7), bool))["counts"].decode()}
    assert not rle_ops.decode(rle).any()
    assert rle_ops.area(rle) == 0
    with pytest.raises(RleError):
        rle_ops.empty(0, 7)


def test_merge_and_iou_agree_with_numpy():
    rng = np.random.default_rng(6)
    for _ in range(50):
        a = rng.random((17, 23)) < 0.4
        b = rng.random((17, 23)) < 0.4
        rle_a, rle_b = rle_ops.encode(a), rle_ops.encode(b)
        assert np.array_equal(rle_ops.decode(rle_ops.merge([rle_a, rle_b])), a | b)
        assert np.array_equal(rle_ops.decode(rle_ops.merge([rle_a, rle_b], intersect=True)), a & b)
        assert rle_ops.iou(rle_a, rle_b) == pytest.approx((a & b).sum() / (a | b).sum())


def test_iou_edge_cases_and_merge_errors():
    empty = rle_ops.empty(5, 5)
    full = rle_ops.encode(np.ones((5, 5), bool))
    assert rle_ops.iou(empty, empty) == 1.0
    assert rle_ops.iou(empty, full) == 0.0
    assert rle_ops.iou(full, full) == 1.0
    with pytest.raises(RleError, match="one size"):
        rle_ops.merge([empty, rle_ops.empty(5, 6)])
    with pytest.raises(RleError, match="at least one"):
        rle_ops.merge([])
    with pytest.raises(RleError):
        rle_ops.iou(empty, {"size": [5, 5], "counts": "Z"})


# --- checked_geometry: the save path's one pass ---------------------------------------------------------


def test_checked_geometry_equals_validate_area_and_bbox():
    masks = [*_random_masks(seed=11, count=60), np.zeros((5, 7), bool), np.ones((4, 3), bool)]
    for mask in masks:
        counts = _coco_encode(mask)["counts"].decode()
        size = list(mask.shape)
        for given in (counts, counts.encode(), rle_ops.counts_to_runs(counts).tolist()):
            rle = {"size": size, "counts": given}
            expected = (rle_ops.validate_rle(rle), rle_ops.area(rle), rle_ops.bbox_coco(rle))
            assert rle_ops.checked_geometry(rle) == expected
    # Non-canonical input comes back canonical, as validate_rle makes it.
    for rle in ({"size": [1, 2], "counts": "Q01"}, {"size": [3, 3], "counts": [2, 0, 3, 4]}):
        assert rle_ops.checked_geometry(rle)[0] == rle_ops.validate_rle(rle)


@pytest.mark.parametrize(
    "rle", [{"size": [3, 3], "counts": ":O"}, {"size": [3, 3], "counts": "4Q"}, {"size": [3, 3], "counts": "8"}]
)
def test_checked_geometry_refuses_bad_runs_before_pycocotools_reads_them(monkeypatch, rle):
    class Forbidden:
        def __getattr__(self, name):
            raise AssertionError(f"pycocotools.{name} called on unchecked input")

    monkeypatch.setattr(rle_ops, "coco_mask", Forbidden())
    with pytest.raises(RleError):
        rle_ops.checked_geometry(rle)
    with pytest.raises(RleError, match="differs from the expected"):
        rle_ops.checked_geometry(rle_ops.empty(4, 5), expected_size=(5, 4))
