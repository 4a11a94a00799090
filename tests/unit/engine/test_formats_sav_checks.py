"""engine.formats.sav_checks: the official files pass; every departure from their value types and
rules is named precisely. The official example files (../shared/fixtures/sa-v) are used when
present; the record of test_formats_sav (made in that test, with the official types) always."""

import copy
import json

import pytest

from engine.formats.sav_checks import annotated_frame_count, sav_problems
from tests.media_factory import SHARED_FIXTURES
from tests.unit.engine.test_formats_sav import EMBEDDED_RECORD, _rle

OFFICIAL = SHARED_FIXTURES / "sa-v"


@pytest.mark.parametrize("kind", ["manual", "auto"])
def test_the_official_files_have_no_problem(kind):
    path = OFFICIAL / f"sav_000001_{kind}.json"
    if not path.exists():
        pytest.skip("uses ../shared/fixtures/sa-v; the embedded record is checked below")
    record = json.loads(path.read_text())
    assert sav_problems(record) == []
    # 483 frames at 24 fps annotated every 4th frame: frames 0, 4, ..., 480 = 121 annotated frames.
    assert annotated_frame_count(int(record["video_frame_count"])) == len(record["masklet"]) == 121


def test_the_embedded_record_has_no_problem():
    assert sav_problems(EMBEDDED_RECORD) == []


def _broken(**changes):
    record = copy.deepcopy(EMBEDDED_RECORD)
    record.update(changes)
    return sav_problems(record)


def test_value_types_of_the_official_files_are_required():
    assert _broken(masklet_first_appeared_frame=[0, 2, 0]) == [
        f"masklet_first_appeared_frame[{i}] must be a whole float in a manual file "
        f"(as 113.0 in sav_000001_manual.json), got {v}"
        for i, v in enumerate([0, 2, 0])
    ]
    assert _broken(video_frame_count=15) == ["video_frame_count must be a float as in the official files, got int 15"]
    assert _broken(masklet_num=3.0) == ["masklet_num must be a non-negative int, got float 3.0"]
    assert _broken(masklet_id=[0, 1, 1]) == ["masklet_id holds duplicates: [0, 1, 1]"]
    masklet = copy.deepcopy(EMBEDDED_RECORD["masklet"])
    masklet[1][2] = {"size": [848, 480], "counts": [407040]}
    assert _broken(masklet=masklet) == ["masklet[1][2] must be an RLE with str counts, as in the official files"]


def test_values_sav_allows():
    assert _broken(video_environment="Unknown") == [
        "video_environment must be one of ['Indoor', 'Outdoor'], got 'Unknown'"
    ]
    assert _broken(video_split="holdout") == ["video_split must be one of ['train', 'val', 'test'], got 'holdout'"]
    assert _broken(masklet_size_bucket=["small", "huge", "large"]) == [
        "masklet_size_bucket[1] must be one of ['small', 'medium', 'large'], got 'huge'"
    ]


def test_frame_counts_follow_the_24_fps_video():
    # 15 frames -> frames 0, 4, 8, 12 are annotated: 4, as the record holds. 17 frames would need 5
    # (0 .. 16); 0.625 s = 15 / 24 s.
    assert _broken(video_frame_count=17.0, video_duration=17 / 24) == [
        "masklet has 4 annotated frames, but a 17-frame video annotated every 4th frame has 5"
    ]
    assert _broken(video_duration=0.7) == ["video_duration 0.7 s does not match 15 frames at 24 fps (0.625 s)"]
    assert _broken(video_resolution=1.0) == ["video_resolution 1.0 is not video_height x video_width = 407040.0"]


def test_derived_fields_must_match_the_masks():
    assert _broken(masklet_size_abs=[201.0, 5800.0, 10000.0]) == [
        "masklet_size_abs[0] is 201.0, but the masks give 200.0"
    ]
    assert _broken(masklet_frame_count=[4, 4, 5]) == ["masklet_frame_count[2] is 5, but the masks give 4"]
    masklet = copy.deepcopy(EMBEDDED_RECORD["masklet"])
    masklet[2][1] = _rle()  # object 1 then appears on frame 3 only: first_appeared 3.0, not 2.0
    problems = _broken(masklet=masklet)
    assert "masklet_first_appeared_frame[1] is 2.0, but the masks give 3" in problems


def test_keys_and_shapes():
    record = copy.deepcopy(EMBEDDED_RECORD)
    del record["video_split"]
    record["extra"] = 1
    assert sav_problems(record) == [
        "SA-V record keys differ from the official ones: missing ['video_split'], unexpected ['extra']"
    ]
    assert sav_problems([]) == ["a SA-V file holds one JSON object, got list"]
    assert _broken(masklet_id=[0, 1]) == ["masklet_id must be a list of masklet_num = 3 entries, got list"]
