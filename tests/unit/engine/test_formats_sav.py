"""engine.formats.sav: SA-V masklet files round-trip exactly and the derived fields match.

The official example (/work/shared/fixtures/sa-v) is used when present; the test also carries its
own small record with the same structure and types (848x480 video, float video fields, float
first-appeared frames and null stability scores as in the manual file), so it runs without it."""

import io
import json

import numpy as np
import pytest
from pycocotools import mask as coco_mask

from engine.formats.sav import (
    SAV_KEYS,
    SavError,
    build_sav,
    check_sav,
    derived_masklet_fields,
    read_sav,
    sav_file_name,
    video_frame_index,
    write_sav,
)
from tests.media_factory import SHARED_FIXTURES

HEIGHT, WIDTH = 848, 480
FIXTURES = SHARED_FIXTURES / "sa-v"


def _rle(rows=None, cols=None):
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    if rows is not None:
        mask[rows[0] : rows[0] + rows[1], cols[0] : cols[0] + cols[1]] = 1
    encoded = coco_mask.encode(np.asfortranarray(mask))
    return {"size": encoded["size"], "counts": encoded["counts"].decode()}


# Three objects on four annotated frames; (first row, height), (first col, width).
# Object 0: 10x10 = 100, absent, 20x10 = 200, 30x10 = 300 px.
# Object 1: absent, absent, 40x40 = 1600, 100x100 = 10000 px.
# Object 2: 100x100 = 10000 px on every frame.
MASKLET = [
    [_rle((0, 10), (0, 10)), _rle(), _rle((500, 100), (300, 100))],
    [_rle(), _rle(), _rle((500, 100), (300, 100))],
    [_rle((0, 20), (0, 10)), _rle((200, 40), (200, 40)), _rle((500, 100), (300, 100))],
    [_rle((0, 30), (0, 10)), _rle((200, 100), (200, 100)), _rle((500, 100), (300, 100))],
]
RESOLUTION = HEIGHT * WIDTH  # 407040
# Worked out by hand:
#   size_abs: object 0 (100 + 200 + 300) / 3 = 200 (small, < 1024); object 1 (1600 + 10000) / 2 =
#   5800 (medium, < 9216); object 2 10000 (large). size_rel = size_abs / 407040, to 10 decimals.
#   visibility, object 0: seen, unseen, seen, seen -> 2 flips; object 1 first seen on frame 2, then
#   no flip; object 2 never flips. frame_count 4 each.
EXPECTED_DERIVED = {
    "masklet_size_rel": [round(200 / RESOLUTION, 10), round(5800 / RESOLUTION, 10), round(10000 / RESOLUTION, 10)],
    "masklet_size_abs": [200.0, 5800.0, 10000.0],
    "masklet_size_bucket": ["small", "medium", "large"],
    "masklet_visibility_changes": [2, 0, 0],
    "masklet_first_appeared_frame": [0.0, 2.0, 0.0],
    "masklet_frame_count": [4, 4, 4],
    "masklet_num": 3,
}
EMBEDDED_RECORD = {
    "video_id": "sav_000001",
    "video_duration": 0.625,
    "video_frame_count": 15.0,
    "video_height": 848.0,
    "video_width": 480.0,
    "video_resolution": 407040.0,
    "video_environment": "Indoor",
    "video_split": "train",
    "masklet": MASKLET,
    "masklet_id": [0, 1, 2],
    **{key: value for key, value in EXPECTED_DERIVED.items() if key != "masklet_num"},
    "masklet_edited_frame_count": [1, 0, 4],
    "masklet_type": ["manual"] * 3,
    "masklet_stability_score": [None] * 3,
    "masklet_num": 3,
}
EMBEDDED_RECORD = {key: EMBEDDED_RECORD[key] for key in SAV_KEYS}


def _sources():
    yield pytest.param(json.dumps(EMBEDDED_RECORD), 10, id="embedded")
    for kind, decimals in (("manual", 10), ("auto", None)):  # official manual files round to 1e-10
        path = FIXTURES / f"sav_000001_{kind}.json"
        if path.exists():
            yield pytest.param(path.read_text(), decimals, id=f"official-{kind}")


def _types(value):
    """The type tree of a JSON value, to compare types as well as values."""
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_types(item) for item in value]
    return type(value).__name__


@pytest.mark.parametrize("text, decimals", list(_sources()))
def test_read_then_write_gives_the_same_file(text, decimals):
    record = read_sav(io.StringIO(text))
    assert list(record) == list(SAV_KEYS)
    out = io.StringIO()
    write_sav(out, record)
    assert out.getvalue() == text.rstrip("\n")  # byte for byte: keys, order, types, values
    rewritten = json.loads(out.getvalue())
    assert rewritten == json.loads(text)
    assert _types(rewritten) == _types(json.loads(text))


@pytest.mark.parametrize("text, decimals", list(_sources()))
def test_recomputed_derived_fields_equal_the_files(text, decimals):
    record = json.loads(text)
    size = (int(record["video_height"]), int(record["video_width"]))
    derived = derived_masklet_fields(record["masklet"], size, decimals)
    for key, value in derived.items():
        assert value == record[key], key


def test_embedded_record_matches_the_hand_worked_values():
    derived = derived_masklet_fields(MASKLET, (HEIGHT, WIDTH), decimals=10)
    assert derived == EXPECTED_DERIVED
    assert all(isinstance(v, int) for v in derived["masklet_first_appeared_frame"])


def test_build_sav_writes_a_complete_record():
    record = build_sav(
        video_id="vid_7",
        video_frame_count=15,
        video_height=HEIGHT,
        video_width=WIDTH,
        video_environment="Outdoor",
        video_split="train",
        masklet=MASKLET,
        masklet_id=[4, 5, 6],
        masklet_edited_frame_count=[1, 0, 4],
        masklet_type="manual",
    )
    assert list(record) == list(SAV_KEYS)
    assert record["video_resolution"] == 407040.0 and isinstance(record["video_frame_count"], float)
    assert record["video_duration"] == 0.625  # 15 frames at 24 fps
    # A manual file writes first-appeared frames as floats, as the official manual example does.
    assert record["masklet_first_appeared_frame"] == [0.0, 2.0, 0.0]
    assert all(isinstance(v, float) for v in record["masklet_first_appeared_frame"])
    assert record["masklet_size_abs"] == [200.0, 5800.0, 10000.0]
    assert record["masklet_stability_score"] == [None, None, None]
    assert record["masklet_type"] == ["manual"] * 3
    out = io.StringIO()
    write_sav(out, record)
    assert read_sav(io.StringIO(out.getvalue())) == record
    assert sav_file_name("vid_7") == "vid_7_manual.json"
    assert sav_file_name("vid_7", "auto") == "vid_7_auto.json"
    assert video_frame_index(113) == 452  # annotated at 6 fps, video at 24 fps


def test_checks_reject_broken_records():
    with pytest.raises(SavError, match=r"keys differ from the official ones: missing \[\], unexpected \['extra'\]"):
        check_sav({**EMBEDDED_RECORD, "extra": 1})
    with pytest.raises(SavError, match="masklet_num"):
        check_sav({**EMBEDDED_RECORD, "masklet_num": 4})
    with pytest.raises(SavError, match=r"masklet\[1\] must hold masklet_num = 3 RLEs"):
        check_sav({**EMBEDDED_RECORD, "masklet": [MASKLET[0], MASKLET[1][:2], *MASKLET[2:]]})
    wrong_size = {"size": [480, 848], "counts": MASKLET[0][1]["counts"]}
    with pytest.raises(
        SavError, match=r"masklet\[0\]\[0\]: RLE size \[480, 848\] differs from the expected \[848, 480\]"
    ):
        check_sav({**EMBEDDED_RECORD, "masklet": [[wrong_size, *MASKLET[0][1:]], *MASKLET[1:]]})
    with pytest.raises(SavError, match="video_environment must be one of"):
        check_sav({**EMBEDDED_RECORD, "video_environment": "Unknown"})
    with pytest.raises(SavError, match=r"never|every annotated frame"):
        derived_masklet_fields([[_rle()], [_rle()]], (HEIGHT, WIDTH))
    with pytest.raises(SavError, match="video_height"):
        check_sav({**EMBEDDED_RECORD, "video_height": float("inf")})
    with pytest.raises(SavError, match="not JSON"):
        read_sav(io.StringIO("[1,"))
    with pytest.raises(SavError, match="masklet_type"):
        build_sav(
            video_id="v",
            video_frame_count=15,
            video_height=HEIGHT,
            video_width=WIDTH,
            video_environment="Indoor",
            video_split="train",
            masklet=MASKLET,
            masklet_id=[0, 1, 2],
            masklet_edited_frame_count=[0, 0, 0],
            masklet_type="human",
        )
