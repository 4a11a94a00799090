"""engine.formats.validation: exports written out by hand in each format pass, and each kind of
breakage is reported with a precise message. Every file here is made by the test (records with
hand-worked derived values, videos written with OpenCV directly)."""

import json
import tarfile

import cv2
import numpy as np
import pytest

from engine import rle as rle_ops
from engine.formats.validation import FORMATS, validate_export

HEIGHT, WIDTH = 48, 64


def _square(top, left, rows, cols):
    mask = np.zeros((HEIGHT, WIDTH), bool)
    mask[top : top + rows, left : left + cols] = True
    return rle_ops.encode(mask)


def _video(path, frames, fps):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (WIDTH, HEIGHT))
    for i in range(frames):
        writer.write(np.full((HEIGHT, WIDTH, 3), 20 * i, np.uint8))
    writer.release()


# A 9-frame 24 fps video: frames 0, 4, 8 are annotated (3 annotated frames).
# Masklet 7: 10x10 = 100 px on annotated frames 0 and 1, gone on 2: size_abs 100, one visibility
# change, first appeared 0. Masklet 9: absent on 0, 20x10 = 200 px on 1 and 2: size_abs 200,
# first appeared 1. Both small (< 32^2). Resolution 48 x 64 = 3072.
EMPTY = rle_ops.empty(HEIGHT, WIDTH)
SAV_RECORD = {
    "video_id": "vid",
    "video_duration": 0.375,
    "video_frame_count": 9.0,
    "video_height": 48.0,
    "video_width": 64.0,
    "video_resolution": 3072.0,
    "video_environment": "Outdoor",
    "video_split": "train",
    "masklet": [
        [_square(5, 5, 10, 10), EMPTY],
        [_square(5, 5, 10, 10), _square(20, 30, 20, 10)],
        [EMPTY, _square(20, 30, 20, 10)],
    ],
    "masklet_id": [7, 9],
    "masklet_size_rel": [round(100 / 3072, 10), round(200 / 3072, 10)],
    "masklet_size_abs": [100.0, 200.0],
    "masklet_size_bucket": ["small", "small"],
    "masklet_visibility_changes": [1, 0],
    "masklet_first_appeared_frame": [0.0, 1.0],
    "masklet_frame_count": [3, 3],
    "masklet_edited_frame_count": [1, 2],
    "masklet_type": ["manual", "manual"],
    "masklet_stability_score": [None, None],
    "masklet_num": 2,
}


def _write_sav(folder, record=SAV_RECORD, frames=9, fps=24.0):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vid_manual.json").write_text(json.dumps(record))
    _video(folder / "vid.mp4", frames, fps)
    return folder


def _write_stc(folder, rcap_changes=None, video_frames=3):
    folder.mkdir(parents=True, exist_ok=True)
    span = {"uid": 1, "video": "vid.mp4", "masklet_id": 9, "total_frames": 3, "caption": "It falls.", "start_frame": 1}
    rcap = {**span, "end_frame": 2, **(rcap_changes or {})}
    rdcap = {
        "uid": 2,
        "video": "vid.mp4",
        "masklet_id": 7,
        "total_frames": 3,
        "dense_captions": [{"start_frame": 0, "end_frame": 1, "caption": "It waits."}],
    }
    (folder / "rcap.jsonl").write_text(json.dumps(rcap) + "\n")
    (folder / "rtloc.jsonl").write_text(json.dumps({**span, "end_frame": 1}) + "\n")
    (folder / "rdcap.jsonl").write_text(json.dumps(rdcap) + "\n")
    _video(folder / "vid.mp4", video_frames, 6.0)
    return folder


def _fgqa_line(**metadata):
    record = {
        "qa_id": "q1",
        "segment_id": "vid_0_300",
        "question": "What falls?",
        "answer": "The cup.",
        "metadata": {
            "source_video_id": "vid",
            "source_dataset": "tests",
            "source_start_time": 0.0,
            "source_end_time": 0.3,
            "what_description": "",
            "q_type": "what",
            "q_subtype": "",
            "domain": "",
            "is_audited": 0,
            **metadata,
        },
    }
    return json.dumps(record) + "\n"


def test_valid_video_exports_pass_and_cross_check(tmp_path):
    sav = _write_sav(tmp_path / "sav")
    report = validate_export(sav, "sav")
    assert report.ok, report.lines()
    assert report.checked == {"masklets": 2, "videos": 1}
    archive = tmp_path / "sav.tar"
    with tarfile.open(archive, "w") as tar:
        for path in sorted(sav.iterdir()):
            tar.add(path, arcname=path.name)
    assert validate_export(archive, "sav").ok
    stc = validate_export(_write_stc(tmp_path / "stc"), "plm-stc", sav=archive)
    assert stc.ok, stc.lines()
    (tmp_path / "fgqa.jsonl").write_text(_fgqa_line())
    assert validate_export(tmp_path / "fgqa.jsonl", "plm-fgqa", sav=sav).ok


def test_broken_sav_exports_are_named(tmp_path):
    # A 30 fps video of 10 frames where the record says 9 frames at 24 fps.
    report = validate_export(_write_sav(tmp_path / "a", frames=10, fps=30.0), "sav")
    assert report.problems == [
        "vid.mp4: plays at 30 fps; SA-V videos are 24 fps (annotated every 4th frame)",
        (
            "vid.mp4: decodes into 10 frames, its record says video_frame_count 9: SAVDataset's frames[::4] "
            "would not pair with masklet"
        ),
    ]
    record = {**SAV_RECORD, "masklet_first_appeared_frame": [0, 1], "video_environment": "Unknown"}
    report = validate_export(_write_sav(tmp_path / "b", record), "sav")
    assert report.problems == [
        "vid_manual.json: video_environment must be one of ['Indoor', 'Outdoor'], got 'Unknown'",
        (
            "vid_manual.json: masklet_first_appeared_frame[0] must be a whole float in a manual file "
            "(as 113.0 in sav_000001_manual.json), got 0"
        ),
        (
            "vid_manual.json: masklet_first_appeared_frame[1] must be a whole float in a manual file "
            "(as 113.0 in sav_000001_manual.json), got 1"
        ),
    ]
    (tmp_path / "a" / "vid.mp4").unlink()
    assert "vid_manual.json: its video vid.mp4 is not in the export" in validate_export(tmp_path / "a", "sav").problems


def test_broken_plm_exports_are_named(tmp_path):
    sav = _write_sav(tmp_path / "sav")
    report = validate_export(_write_stc(tmp_path / "a", {"masklet_id": 8}), "plm-stc", sav=sav)
    assert report.problems == ["rcap.jsonl line 1: masklet_id 8 is not a masklet of vid in the SA-V export"]
    report = validate_export(_write_stc(tmp_path / "b", {"start_frame": 0, "end_frame": 0}), "plm-stc", sav=sav)
    assert report.problems == ["rcap.jsonl line 1: masklet 9 is not visible on frames 0..0"]
    report = validate_export(_write_stc(tmp_path / "c", video_frames=4), "plm-stc", sav=sav)
    assert report.problems == [
        f"{name} line 1: total_frames 3 but vid.mp4 has 4 frames"
        for name in ("rcap.jsonl", "rtloc.jsonl", "rdcap.jsonl")
    ]
    (tmp_path / "c" / "vid.mp4").unlink()
    assert (
        validate_export(tmp_path / "c", "plm-stc").problems[0]
        == "rcap.jsonl line 1: video 'vid.mp4' is not in the export"
    )
    (tmp_path / "late.jsonl").write_text(_fgqa_line(source_end_time=0.5, source_video_id="vid"))
    assert validate_export(tmp_path / "late.jsonl", "plm-fgqa", sav=sav).problems == [
        "late.jsonl line 1: segment ends at 0.5 s, after the end of vid (0.375 s in the SA-V export)"
    ]
    (tmp_path / "other.jsonl").write_text(_fgqa_line(source_video_id="sav_9"))
    other = validate_export(tmp_path / "other.jsonl", "plm-fgqa", sav=sav)  # a video without masklets
    assert other.ok and other.checked == {"questions": 1, "questions on videos outside the SA-V export": 1}


def _sa1b_folder(folder, **changes):
    folder.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(folder / "sa_4.png"), np.zeros((HEIGHT, WIDTH, 3), np.uint8))
    # 20 rows x 10 cols at row 20, col 30: SAM's box [30, 20, 39 - 30, 39 - 20] = [30, 20, 9, 19].
    annotation = {
        "id": 11,
        "segmentation": _square(20, 30, 20, 10),
        "bbox": [30.0, 20.0, 9.0, 19.0],
        "area": 200,
        "predicted_iou": 1.0,
        "stability_score": 1.0,
        "crop_box": [0.0, 0.0, 64.0, 48.0],
        "point_coords": [[34.0, 29.0]],
        **changes,
    }
    image = {"image_id": 4, "width": WIDTH, "height": HEIGHT, "file_name": "sa_4.png"}
    (folder / "sa_4.json").write_text(json.dumps({"image": image, "annotations": [annotation]}))
    return folder


def test_sa1b_exports(tmp_path):
    report = validate_export(_sa1b_folder(tmp_path / "ok"), "sa1b")
    assert report.ok and report.checked == {"images": 1, "annotations": 1}
    report = validate_export(_sa1b_folder(tmp_path / "box", bbox=[30.0, 20.0, 10.0, 20.0]), "sa1b")
    assert report.problems == [
        "sa_4.json: annotation 11: bbox [30.0, 20.0, 10.0, 20.0] is not SAM's box of the mask [30.0, 20.0, 9.0, 19.0]"
    ]
    report = validate_export(_sa1b_folder(tmp_path / "point", point_coords=[[70.0, 5.0]]), "sa1b")
    assert report.problems == ["sa_4.json: annotation 11: point [70.0, 5.0] lies outside the 64x48 image"]
    (tmp_path / "ok" / "sa_4.png").unlink()
    assert validate_export(tmp_path / "ok", "sa1b").problems == ["sa_4.json: its image 'sa_4.png' is not in the export"]


def test_coco_exports(tmp_path):
    annotation = {
        "id": 1,
        "image_id": 2,
        "category_id": 3,
        "segmentation": _square(20, 30, 20, 10),
        "area": 200,
        "bbox": [30.0, 20.0, 10.0, 20.0],  # COCO's w = x_max - x_min + 1
        "iscrowd": 0,
    }
    data = {
        "images": [{"id": 2, "width": WIDTH, "height": HEIGHT, "file_name": "a.png"}],
        "categories": [{"id": 3, "name": "cup"}],
        "annotations": [annotation],
    }
    (tmp_path / "ok.json").write_text(json.dumps(data))
    assert validate_export(tmp_path / "ok.json", "coco").ok
    data["annotations"] = [{**annotation, "area": 199, "image_id": 2, "category_id": 4}]
    (tmp_path / "bad.json").write_text(json.dumps(data))
    report = validate_export(tmp_path / "bad.json", "coco")
    assert report.lines() == [
        f"FAILED coco {tmp_path / 'bad.json'}: 2 problems (checked annotations: 1, images: 1)",
        "  bad.json: annotation 1: category_id 4 is not a category of the file",
        "  bad.json: annotation 1: area 199 is not the mask's area 200",
    ]
    assert validate_export(tmp_path / "ok.json", "coco").lines() == [
        f"OK coco {tmp_path / 'ok.json'} (checked annotations: 1, images: 1)"
    ]


def test_unknown_format_and_unreadable_paths(tmp_path):
    assert FORMATS == ("coco", "sa1b", "sav", "plm-fgqa", "plm-stc")
    with pytest.raises(ValueError, match="format"):
        validate_export(tmp_path, "yaml")
    assert validate_export(tmp_path / "none", "sav").problems == [f"none: {tmp_path / 'none'} does not exist"]
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        info = tarfile.TarInfo("../escape.json")
        tar.addfile(info)
    assert validate_export(evil, "sav").problems == [
        "evil.tar: ../escape.json: names outside the export are not accepted"
    ]
