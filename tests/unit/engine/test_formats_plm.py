"""engine.formats.plm: PLM-Video-Human records with the dataset card's fields and types; every
departure is named. The valid records here are written out by hand from the card."""

import copy

import pytest

from engine.formats.plm import fgqa_problems, stc_problems

FGQA = {
    "qa_id": "sav_000007_qa_00000001",
    "segment_id": "sav_000007_0_2500",
    "question": "How does the person hold the cup?",
    "answer": "With the left hand, by the handle.",
    "metadata": {
        "source_video_id": "sav_000007",
        "source_dataset": "kitchen",
        "source_start_time": 0.0,
        "source_end_time": 2.5,
        "what_description": "drinking",
        "q_type": "how",
        "q_subtype": "hand pose",
        "domain": "cooking",
        "is_audited": 1,
    },
}
RCAP = {
    "uid": 3,
    "video": "sav_000007.mp4",
    "masklet_id": 2,
    "total_frames": 40,
    "caption": "The dog runs to the door.",
    "start_frame": 4,
    "end_frame": 19,
}
RDCAP = {
    "uid": 5,
    "video": "sav_000007.mp4",
    "masklet_id": 2,
    "total_frames": 40,
    "dense_captions": [
        {"start_frame": 0, "end_frame": 9, "caption": "The dog sleeps."},
        {"start_frame": 10, "end_frame": 39, "caption": "The dog runs to the door."},
    ],
}


def _with(record, path, value):
    changed = copy.deepcopy(record)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def test_valid_records_have_no_problem():
    assert fgqa_problems(FGQA) == []
    assert stc_problems(RCAP, "rcap") == [] and stc_problems(RCAP, "rtloc") == []
    assert stc_problems(RDCAP, "rdcap") == []


def test_fgqa_problems_are_precise():
    assert fgqa_problems(_with(FGQA, ["metadata", "source_start_time"], 0)) == [
        "metadata source_start_time / source_end_time must be floats (seconds), got 0, 2.5"
    ]
    assert fgqa_problems(_with(FGQA, ["metadata", "source_end_time"], 0.0)) == [
        "metadata segment must satisfy 0 <= source_start_time < source_end_time, got 0.0, 0.0"
    ]
    assert fgqa_problems(_with(FGQA, ["metadata", "is_audited"], True)) == [
        "metadata.is_audited must be the int 0 or 1, got True"
    ]
    assert fgqa_problems(_with(FGQA, ["answer"], " ")) == ["answer must be a non-empty str"]
    missing = copy.deepcopy(FGQA)
    del missing["metadata"]["domain"]
    assert fgqa_problems(missing) == ["metadata keys differ from PLM's: missing ['domain'], unexpected []"]


def test_stc_problems_are_precise():
    assert stc_problems(_with(RCAP, ["end_frame"], 40), "rcap") == [
        "frames 4..40 must satisfy start <= end < total_frames = 40"
    ]
    assert stc_problems(_with(RCAP, ["video"], "sav_000007"), "rtloc") == [
        "video must name an .mp4 file, got 'sav_000007'"
    ]
    assert stc_problems(_with(RCAP, ["masklet_id"], "2"), "rcap") == ["masklet_id must be an int32, got '2'"]
    overlapping = _with(RDCAP, ["dense_captions", 1, "start_frame"], 9)
    assert stc_problems(overlapping, "rdcap") == ["dense_captions[1] starts at 9, before the previous one ends (9)"]
    assert stc_problems(RCAP, "rdcap") == [
        (
            "rdcap record keys differ from PLM's: missing ['dense_captions'], unexpected "
            "['caption', 'end_frame', 'start_frame']"
        )
    ]
    with pytest.raises(ValueError, match="kind"):
        stc_problems(RCAP, "dense")
