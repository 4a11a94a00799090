"""Exports the official tools accept (issue 14), end to end on projects that use every feature:
the SA-V export read back frame by frame as sam2's SAVDataset reads it, the PLM files checked
against the SA-V file, and `manage.py validate_export` passing on every format and failing with a
precise message on a broken file of each.

The video is ../shared/fixtures/videos/bedroom.mp4 when present (OpenCV reads it as 30 fps, 200
frames); otherwise a 30 fps clip made here. Either way the rate is what OpenCV reports."""

import io
import json
import tarfile

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from backend.annotations.models import Mask, Masklet, MaskletFrame
from backend.exports.services import export_to_path
from backend.jobs.models import Job
from backend.jobs.services import job_run
from backend.media.frames import frames_extract
from backend.media.models import Video
from backend.media.services import media_ingest
from backend.media.storage import read_bytes
from engine import rle as rle_ops
from engine.formats.sav_video import probe_video
from tests import media_factory as mf

PSNR_THRESHOLD_DB = 30.0  # MPEG-4 at OpenCV's defaults keeps annotated frames at about 37-40 dB


def decode_video(path):
    """sam2 sav_dataset/utils/sav_utils.py decode_video (BGR kept: the comparison is colour-blind)."""
    video, frames = cv2.VideoCapture(str(path)), []
    while video.isOpened():
        ok, frame = video.read()
        if not ok:
            break
        frames.append(frame)
    return frames


def _source():
    fixture = mf.SHARED_FIXTURES / "videos" / "bedroom.mp4"
    if fixture.exists():
        return fixture.read_bytes(), "bedroom.mp4"
    return mf.video_bytes(frames=60, fps=30.0), "clip30.mp4"


def _rectangle(video, top, left, bottom, right):
    mask = np.zeros((video.height, video.width), bool)
    mask[int(top * video.height) : int(bottom * video.height), int(left * video.width) : int(right * video.width)] = (
        True
    )
    return rle_ops.encode(mask)


@pytest.fixture
def video_project(manager, make_user, project_factory, client_for):
    annotator, researcher = make_user("v-ann"), make_user("v-res")
    project = project_factory(
        manager, name="sav-source", kind="video", members=[(annotator, "annotator"), (researcher, "researcher")]
    )
    data, name = _source()
    [(video, _)] = media_ingest(project=project, uploads=[(io.BytesIO(data), name)], user=manager)
    job = job_run(Job.objects.get(kind="extract_frames", subject_id=video.pk).pk, frames_extract, worker="here")
    assert job.state == "succeeded", job.message
    n = video.frames.count()
    # Object 1 on every annotated frame (a person drew frame 0); object 2 appears half-way, leaves
    # for one frame, comes back.
    one = Masklet.objects.create(video=video, object_id=1, created_by=annotator)
    two = Masklet.objects.create(video=video, object_id=2, created_by=annotator)
    empty = rle_ops.empty(video.height, video.width)
    for index in range(n):
        rle = _rectangle(video, 0.2, 0.1 + 0.5 * index / n, 0.6, 0.3 + 0.5 * index / n)
        MaskletFrame.objects.create(masklet=one, frame_index=index, rle=rle, area=rle_ops.area(rle), edited=index == 0)
        rle = _rectangle(video, 0.5, 0.6, 0.9, 0.8) if index >= n // 2 and index != n // 2 + 2 else empty
        MaskletFrame.objects.create(masklet=two, frame_index=index, rle=rle, area=rle_ops.area(rle))
    api = client_for(annotator)
    assert api.patch(f"/api/videos/{video.pk}/", {"environment": "Indoor"}, format="json").status_code == 200
    question = {"start_time": 0.5, "end_time": 1.5, "question": "Where does the box go?", "answer": "Right."}
    assert (
        api.post(f"/api/videos/{video.pk}/questions/", {**question, "q_type": "what"}, format="json").status_code == 201
    )
    captions = [
        {"masklet": two.pk, "kind": "rcap", "start_frame": n // 2, "end_frame": n // 2 + 1, "caption": "It appears."},
        {"masklet": one.pk, "kind": "rtloc", "start_frame": 0, "end_frame": 3, "caption": "It slides."},
        {
            "masklet": two.pk,
            "kind": "rdcap",
            "dense_captions": [
                {"start_frame": n // 2, "end_frame": n // 2 + 1, "caption": "It appears."},
                {"start_frame": n // 2 + 2, "end_frame": n - 1, "caption": "It hides, then stays."},
            ],
        },
    ]
    for caption in captions:
        answer = api.post(f"/api/videos/{video.pk}/captions/", caption, format="json")
        assert answer.status_code == 201, answer.content
    return {"project": project, "video": video, "annotator": annotator, "researcher": researcher, "n": n}


def _unpack(archive, folder):
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder


def test_sav_export_reads_back_frame_by_frame(video_project, tmp_path):
    video, n = video_project["video"], video_project["n"]
    source_fps = probe_video(_local_source(video, tmp_path)).fps
    export_to_path(video_project["project"], "sav", str(tmp_path / "sav.tar"), frames=True)
    sav_dir = _unpack(tmp_path / "sav.tar", tmp_path / "sav")
    video_id = f"sav_{video.pk:06d}"
    record = json.loads((sav_dir / f"{video_id}_manual.json").read_text())
    # SAVDataset.get_frames_and_annotations: decode <video_id>.mp4, keep frames[::4], pair with masklet.
    decoded = decode_video(sav_dir / f"{video_id}.mp4")
    assert probe_video(str(sav_dir / f"{video_id}.mp4")).fps == 24.0
    assert len(decoded) == record["video_frame_count"] and len(decoded[::4]) == len(record["masklet"]) == n
    # 30 fps annotated at 6 fps: every 5th source frame is annotated, and the 24 fps video has
    # 4/5 as many frames as the source (200 -> 160 for the fixture).
    assert source_fps in (24.0, 30.0)
    assert record["video_duration"] == len(decoded) / 24 and n == -(-video.frame_count * 6 // round(source_fps))
    source = decode_video(_local_source(video, tmp_path))
    plan = list(video.frames.order_by("index").values_list("source_index", flat=True))
    for k, frame in enumerate(decoded[::4]):
        annotated = cv2.imdecode(np.frombuffer(read_bytes(video.frames.get(index=k).storage_key), np.uint8), 1)
        psnr = cv2.PSNR(frame, annotated)
        assert psnr > PSNR_THRESHOLD_DB, (k, psnr)
        own = cv2.PSNR(frame, source[plan[k]])
        for neighbour in (plan[k] - 1, plan[k] + 1):  # the source frames next door are clearly further
            if 0 <= neighbour < len(source):
                assert cv2.PSNR(frame, source[neighbour]) < own - 3, (k, neighbour)
    jpegs = sorted((sav_dir / "JPEGImages_24fps" / video_id).iterdir())
    assert [p.name for p in jpegs] == [f"{i:05d}.jpg" for i in range(len(decoded))]
    # The official value types and the SA-V per-video fields.
    assert record["video_environment"] == "Indoor" and record["video_split"] == "train"
    assert record["masklet_first_appeared_frame"] == [0.0, float(n // 2)]
    assert record["masklet_edited_frame_count"] == [1, 0] and record["masklet_visibility_changes"] == [0, 2]
    out = io.StringIO()
    call_command("validate_export", str(tmp_path / "sav.tar"), "--format", "sav", stdout=out)
    assert out.getvalue().startswith(f"OK sav {tmp_path / 'sav.tar'}")


def _local_source(video, tmp_path):
    path = tmp_path / f"source.{video.format}"
    if not path.exists():
        path.write_bytes(read_bytes(video.storage_key))
    return str(path)


def test_plm_files_cross_checked_with_the_sav_file(video_project, tmp_path):
    project, video, n = video_project["project"], video_project["video"], video_project["n"]
    for fmt, name in (("sav", "sav.tar"), ("plm-stc", "stc.tar"), ("plm-fgqa", "fgqa.jsonl")):
        export_to_path(project, fmt, str(tmp_path / name))
    for fmt, name in (("plm-stc", "stc.tar"), ("plm-fgqa", "fgqa.jsonl")):
        out = io.StringIO()
        call_command(
            "validate_export", str(tmp_path / name), "--format", fmt, "--sav", str(tmp_path / "sav.tar"), stdout=out
        )
        assert out.getvalue().startswith("OK"), out.getvalue()
    stc, sav = _unpack(tmp_path / "stc.tar", tmp_path / "stc"), _unpack(tmp_path / "sav.tar", tmp_path / "sav")
    record = json.loads((sav / f"sav_{video.pk:06d}_manual.json").read_text())
    rcap = json.loads((stc / "rcap.jsonl").read_text())
    # The names, ids and frame counts agree, worked out from the fixture: masklet 2 on frames n/2..n/2+1.
    assert rcap["video"] == f"sav_{video.pk:06d}.mp4" and (stc / rcap["video"]).exists()
    assert rcap["masklet_id"] == 2 and 2 in record["masklet_id"]
    assert rcap["total_frames"] == len(record["masklet"]) == n
    assert (rcap["start_frame"], rcap["end_frame"]) == (n // 2, n // 2 + 1)
    # Frame i of the 6 fps PLM video is annotated frame i, as is frame 4i of the SA-V video.
    plm_frames, sav_frames = decode_video(stc / rcap["video"]), decode_video(sav / f"sav_{video.pk:06d}.mp4")[::4]
    assert probe_video(str(stc / rcap["video"])).fps == 6.0 and len(plm_frames) == n
    assert min(cv2.PSNR(a, b) for a, b in zip(plm_frames, sav_frames, strict=True)) > PSNR_THRESHOLD_DB
    fgqa = json.loads((tmp_path / "fgqa.jsonl").read_text())
    assert fgqa["metadata"]["source_video_id"] == record["video_id"]
    assert (fgqa["metadata"]["source_start_time"], fgqa["metadata"]["source_end_time"]) == (0.5, 1.5)


def test_video_fields_and_a_sav_export_without_them(video_project, client_for, manager):
    video, project = video_project["video"], video_project["project"]
    url = f"/api/videos/{video.pk}/"
    annotator, researcher = client_for(video_project["annotator"]), client_for(video_project["researcher"])
    assert annotator.get(url).json()["environment"] == "Indoor"
    assert researcher.patch(url, {"environment": "Outdoor"}, format="json").status_code == 403
    bad = annotator.patch(url, {"environment": "Unknown", "split": "val"}, format="json")
    assert bad.status_code == 400 and "environment" in bad.json()
    assert annotator.patch(url, {"split": "val"}, format="json").json()["split"] == "val"
    Video.objects.filter(pk=video.pk).update(environment="")
    refused = client_for(manager).post(f"/api/projects/{project.pk}/exports/", {"format": "sav"}, format="json")
    assert refused.status_code == 400
    assert (
        f"set video_environment (Indoor or Outdoor) on the video page before a SA-V export: sav_{video.pk:06d}"
        in (refused.json()["format"][0])
    )


def test_a_drawn_empty_mask_on_a_video_frame_is_refused(video_project, client_for):
    video = video_project["video"]
    api = client_for(video_project["annotator"])
    session = api.post(f"/api/videos/{video.pk}/session/").json()
    empty = rle_ops.empty(video.height, video.width)
    answer = api.post(
        f"/api/video-sessions/{session['id']}/prompts/",
        {"kind": "mask", "frame": 1, "obj_id": 5, "rle": empty},
        format="json",
    )
    assert answer.status_code == 400 and "area 0" in answer.json()["rle"][0]
    assert not Masklet.objects.filter(video=video, object_id=5).exists()


@pytest.fixture
def image_project(manager, project_factory, client_for, without_embedding_on_upload):
    project = project_factory(manager, name="every-feature", categories=("cup", "plate"))
    api = client_for(manager)
    image = api.post(
        f"/api/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("a.jpg", mf.jpeg_bytes(120, 90, seed=31))]},
        format="multipart",
    ).json()[0]
    cup, plate = project.categories.order_by("id")
    square = np.zeros((90, 120), bool)
    square[10:30, 10:40] = True
    bodies = [
        {
            "rle": rle_ops.encode(square),
            "category": cup.pk,
            "prompts": [{"kind": "point", "x": 20, "y": 20, "label": 1, "t_ms": 5}],
        },
        {"rle": rle_ops.encode(np.roll(square, 40, axis=0)), "category": plate.pk, "prompts": []},
        {
            "rle": rle_ops.encode(np.roll(square, 60, axis=1)),
            "prompts": [{"kind": "box", "box": [70, 10, 99, 29], "t_ms": 5}],
        },
    ]
    for body in bodies:
        assert api.post("/api/masks/", {"image": image["id"], **body}, format="json").status_code == 201
    automatic = np.zeros((90, 120), bool)
    automatic[60:85, 80:115] = True
    Mask.objects.create(
        image_id=image["id"],
        rle=rle_ops.encode(automatic),
        area=int(automatic.sum()),
        bbox=rle_ops.bbox_coco(rle_ops.encode(automatic)),
        source="auto",
        predicted_iou=0.93,
        stability_score=0.96,
        crop_box=[0.0, 0.0, 120.0, 90.0],
        point_coords=[[97.5, 72.5]],
    )
    return project


def _validate(path, fmt, *extra):
    out = io.StringIO()
    try:
        call_command("validate_export", str(path), "--format", fmt, *extra, stdout=out)
    except CommandError as exc:
        return False, [str(exc), *out.getvalue().splitlines()]
    return True, out.getvalue().splitlines()


def _rewrite_json(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _rewrite_first_line(path, change):
    lines = path.read_text().splitlines()
    record = json.loads(lines[0])
    change(record)
    path.write_text("\n".join([json.dumps(record), *lines[1:]]) + "\n")


def test_validate_export_passes_on_every_format_and_names_what_is_broken(image_project, video_project, tmp_path):
    exports = {
        "coco": (image_project, "coco.json"),
        "sa1b": (image_project, "sa1b.tar"),
        "sav": (video_project["project"], "sav.tar"),
        "plm-fgqa": (video_project["project"], "fgqa.jsonl"),
        "plm-stc": (video_project["project"], "stc.tar"),
    }
    sav_args = ("--sav", str(tmp_path / "sav.tar"))
    for fmt, (project, name) in exports.items():
        export_to_path(project, fmt, str(tmp_path / name))
    for fmt, (_, name) in exports.items():
        ok, lines = _validate(tmp_path / name, fmt, *(sav_args if fmt.startswith("plm") else ()))
        assert ok, lines
    video_id = f"sav_{video_project['video'].pk:06d}"
    image_id = image_project.images.get().pk

    coco = tmp_path / "coco.json"
    _rewrite_json(coco, lambda d: d["annotations"][0].update(area=d["annotations"][0]["area"] + 1))
    ok, lines = _validate(coco, "coco")
    mask = json.loads(coco.read_text())["annotations"][0]
    assert not ok and lines[1:] == [f"  coco.json: annotation {mask['id']}: area 601 is not the mask's area 600"]

    sa1b = _unpack(tmp_path / "sa1b.tar", tmp_path / "sa1b")
    _rewrite_json(sa1b / f"sa_{image_id}.json", lambda d: d["annotations"][0].update(bbox=[10.0, 10.0, 30.0, 20.0]))
    ok, lines = _validate(sa1b, "sa1b")
    first = json.loads((sa1b / f"sa_{image_id}.json").read_text())["annotations"][0]["id"]
    assert not ok and lines[1:] == [
        (
            f"  sa_{image_id}.json: annotation {first}: bbox [10.0, 10.0, 30.0, 20.0] is not SAM's box of the mask "
            "[10.0, 10.0, 29.0, 19.0]"
        )
    ]

    sav = _unpack(tmp_path / "sav.tar", tmp_path / "sav")
    _rewrite_json(sav / f"{video_id}_manual.json", lambda d: d.update(masklet_first_appeared_frame=[0, 1]))
    ok, lines = _validate(sav, "sav")
    assert not ok and lines[1] == (
        f"  {video_id}_manual.json: masklet_first_appeared_frame[0] must be a whole float in a manual file "
        "(as 113.0 in sav_000001_manual.json), got 0"
    )

    fgqa = tmp_path / "fgqa.jsonl"
    _rewrite_first_line(fgqa, lambda r: r["metadata"].update(source_end_time=99.0))
    ok, lines = _validate(fgqa, "plm-fgqa", *sav_args)
    duration = json.loads((tmp_path / "sav" / f"{video_id}_manual.json").read_text())["video_duration"]
    assert not ok and lines[1:] == [
        f"  fgqa.jsonl line 1: segment ends at 99.0 s, after the end of {video_id} ({duration} s in the SA-V export)"
    ]

    stc = _unpack(tmp_path / "stc.tar", tmp_path / "stc")
    _rewrite_first_line(stc / "rcap.jsonl", lambda r: r.update(masklet_id=7))
    ok, lines = _validate(stc, "plm-stc", *sav_args)
    assert not ok and lines[1:] == [
        f"  rcap.jsonl line 1: masklet_id 7 is not a masklet of {video_id} in the SA-V export"
    ]
