"""Review transitions and permissions, reasons reaching the annotator, exports honouring status,
and the PLM records: QA pairs and region captions, validated and exported field by field."""

import io
import json
import tarfile

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.annotations.models import Mask, Masklet, MaskletFrame
from backend.exports.selection import ExportRefused
from backend.exports.services import export_to_path
from backend.media.models import Video
from engine import rle as rle_ops
from engine.formats.sav_video import probe_video
from tests import media_factory as mf


@pytest.fixture
def team(make_user, manager, project_factory, client_for, without_embedding_on_upload):
    annotator, reviewer, other_reviewer = make_user("ann"), make_user("rev"), make_user("rev-b")
    project = project_factory(manager, name="A", members=[(annotator, "annotator"), (reviewer, "reviewer")])
    project_factory(manager, name="B", members=[(other_reviewer, "reviewer")])
    image = (
        client_for(manager)
        .post(
            f"/api/projects/{project.pk}/images/",
            {"files": [SimpleUploadedFile("a.jpg", mf.jpeg_bytes(40, 30, seed=51))]},
            format="multipart",
        )
        .json()[0]
    )
    masks = []
    for k in range(3):
        shape = np.zeros((30, 40), bool)
        shape[k * 5 : k * 5 + 4, 2:12] = True
        masks.append(
            client_for(annotator)
            .post("/api/masks/", {"image": image["id"], "rle": rle_ops.encode(shape)}, format="json")
            .json()
        )
    return {
        "project": project,
        "annotator": annotator,
        "reviewer": reviewer,
        "other": other_reviewer,
        "masks": masks,
        "manager": manager,
    }


def test_review_queue_and_decisions(team, client_for):
    annotator_api, reviewer_api = client_for(team["annotator"]), client_for(team["reviewer"])
    project, masks = team["project"], team["masks"]
    assert (
        annotator_api.get(f"/api/projects/{project.pk}/review/queue/").status_code == 403
    )  # an annotator cannot review
    assert (
        annotator_api.post(
            f"/api/masks/{masks[0]['id']}/review/", {"decision": "accept", "version": 1}, format="json"
        ).status_code
        == 403
    )
    assert client_for(team["other"]).get(f"/api/projects/{project.pk}/review/queue/").status_code == 404  # B's reviewer
    assert (
        client_for(team["other"])
        .post(f"/api/masks/{masks[0]['id']}/review/", {"decision": "accept", "version": 1}, format="json")
        .status_code
        == 404
    )
    queue = reviewer_api.get(f"/api/projects/{project.pk}/review/queue/?kind=mask").json()
    assert [m["id"] for m in queue["results"]] == [m["id"] for m in masks]  # oldest first
    accepted = reviewer_api.post(
        f"/api/masks/{masks[0]['id']}/review/", {"decision": "accept", "version": 1, "seconds": 2.5}, format="json"
    )
    assert accepted.json()["status"] == "accepted"
    no_reason = reviewer_api.post(
        f"/api/masks/{masks[1]['id']}/review/", {"decision": "reject", "version": 1}, format="json"
    )
    assert no_reason.status_code == 400 and Mask.objects.get(pk=masks[1]["id"]).status == "submitted"
    rejected = reviewer_api.post(
        f"/api/masks/{masks[1]['id']}/review/",
        {"decision": "reject", "version": 1, "reason": "misses the left edge"},
        format="json",
    )
    assert rejected.json()["status"] == "rejected"
    fixed_shape = np.zeros((30, 40), bool)
    fixed_shape[10:20, 2:30] = True
    fixed = reviewer_api.post(
        f"/api/masks/{masks[2]['id']}/review/",
        {"decision": "fix", "version": 1, "rle": rle_ops.encode(fixed_shape)},
        format="json",
    )
    assert (
        fixed.json()["status"] == "accepted"
        and fixed.json()["edited"] is True
        and fixed.json()["area"] == int(fixed_shape.sum())
    )
    again = reviewer_api.post(
        f"/api/masks/{masks[0]['id']}/review/", {"decision": "reject", "version": 2, "reason": "x"}, format="json"
    )
    assert again.status_code == 400  # already decided
    assert reviewer_api.get(f"/api/projects/{project.pk}/review/queue/").json()["count"] == 0
    # the reason reaches the annotator, who fixes the mask: it goes back to the queue
    back = annotator_api.get("/api/me/rejections/").json()["results"]
    assert [(r["mask"], r["reason"], r["reviewer"]) for r in back] == [(masks[1]["id"], "misses the left edge", "rev")]
    annotator_api.patch(
        f"/api/masks/{masks[1]['id']}/", {"version": 2, "rle": rle_ops.encode(fixed_shape)}, format="json"
    )
    assert Mask.objects.get(pk=masks[1]["id"]).status == "submitted"
    assert annotator_api.get("/api/me/rejections/").json()["count"] == 0
    reviews = client_for(team["manager"]).get(f"/api/projects/{project.pk}/metrics/?by=day").json()["reviews"]
    assert reviews[0]["decisions"] == 3 and (reviews[0]["accepted"], reviews[0]["rejected"], reviews[0]["fixed"]) == (
        1,
        1,
        1,
    )


def test_exports_honour_status(team, client_for, tmp_path):
    project, masks = team["project"], team["masks"]
    reviewer_api = client_for(team["reviewer"])
    reviewer_api.post(f"/api/masks/{masks[0]['id']}/review/", {"decision": "accept", "version": 1}, format="json")
    reviewer_api.post(
        f"/api/masks/{masks[1]['id']}/review/", {"decision": "reject", "version": 1, "reason": "no"}, format="json"
    )
    path = tmp_path / "coco.json"
    assert export_to_path(project, "coco", str(path))["annotations"] == 2  # accepted + still submitted
    project.review_required = True
    project.save()
    export_to_path(project, "coco", str(path))
    assert [a["id"] for a in json.loads(path.read_text())["annotations"]] == [masks[0]["id"]]
    assert export_to_path(project, "coco", str(path), include_all=True)["annotations"] == 3


@pytest.fixture
def video_with_masklet(manager, project_factory, client_for, make_user):
    annotator, reviewer = make_user("vid-ann"), make_user("vid-rev")
    project = project_factory(
        manager, name="plm", kind="video", members=[(annotator, "annotator"), (reviewer, "reviewer")]
    )
    from backend.media.services import media_ingest

    [(video, _)] = media_ingest(
        project=project, uploads=[(io.BytesIO(mf.video_bytes(frames=48)), "clip.mp4")], user=manager
    )
    masklet = Masklet.objects.create(video=video, object_id=3, created_by=annotator)
    shape = np.zeros((video.height, video.width), bool)
    shape[10:30, 10:40] = True
    for index in range(12):
        MaskletFrame.objects.create(
            masklet=masklet, frame_index=index, rle=rle_ops.encode(shape), area=int(shape.sum()), edited=index == 0
        )
    return {"project": project, "video": video, "masklet": masklet, "annotator": annotator, "reviewer": reviewer}


def test_qa_pairs_validated_audited_and_exported(video_with_masklet, client_for, tmp_path):
    video, project = video_with_masklet["video"], video_with_masklet["project"]
    project.qa_taxonomy = {"action": ["order", "count"], "object": []}
    project.save()
    api = client_for(video_with_masklet["annotator"])
    url = f"/api/videos/{video.pk}/questions/"
    good = {
        "start_time": 0.5,
        "end_time": 1.5,
        "question": "What does the square do?",
        "answer": "It moves right.",
        "q_type": "action",
        "q_subtype": "order",
        "what_description": "a square",
        "domain": "synthetic",
    }
    created = api.post(url, good, format="json")
    assert created.status_code == 201, created.content
    for bad in ({"end_time": 99.0}, {"start_time": 1.6}, {"q_type": "colour"}, {"q_subtype": "speed"}, {"answer": " "}):
        assert api.post(url, {**good, **bad}, format="json").status_code == 400, bad
    assert api.post(f"/api/questions/{created.json()['id']}/audit/").status_code == 403  # annotators don't audit
    assert (
        client_for(video_with_masklet["reviewer"])
        .post(f"/api/questions/{created.json()['id']}/audit/")
        .json()["is_audited"]
        is True
    )
    path = tmp_path / "fgqa.jsonl"
    export_to_path(project, "plm-fgqa", str(path))
    [line] = path.read_text().splitlines()
    record = json.loads(line)
    assert list(record) == ["qa_id", "segment_id", "question", "answer", "metadata"]
    assert list(record["metadata"]) == [
        "source_video_id",
        "source_dataset",
        "source_start_time",
        "source_end_time",
        "what_description",
        "q_type",
        "q_subtype",
        "domain",
        "is_audited",
    ]
    assert record["metadata"]["source_video_id"] == f"sav_{video.pk:06d}" and record["metadata"]["is_audited"] == 1
    assert record["metadata"]["source_start_time"] == 0.5 and record["question"] == good["question"]


def test_region_captions_validated_and_exported_with_sav_names(video_with_masklet, client_for, tmp_path):
    video, masklet, project = video_with_masklet["video"], video_with_masklet["masklet"], video_with_masklet["project"]
    api = client_for(video_with_masklet["annotator"])
    url = f"/api/videos/{video.pk}/captions/"
    assert (
        api.post(
            url,
            {"masklet": masklet.pk, "kind": "rcap", "start_frame": 2, "end_frame": 6, "caption": "a square slides"},
            format="json",
        ).status_code
        == 201
    )
    assert (
        api.post(
            url,
            {"masklet": masklet.pk, "kind": "rtloc", "start_frame": 0, "end_frame": 3, "caption": "it starts"},
            format="json",
        ).status_code
        == 201
    )
    dense = [
        {"start_frame": 0, "end_frame": 5, "caption": "enters"},
        {"start_frame": 6, "end_frame": 11, "caption": "leaves"},
    ]
    assert (
        api.post(url, {"masklet": masklet.pk, "kind": "rdcap", "dense_captions": dense}, format="json").status_code
        == 201
    )
    outside = api.post(
        url, {"masklet": masklet.pk, "kind": "rcap", "start_frame": 5, "end_frame": 12, "caption": "x"}, format="json"
    )
    assert outside.status_code == 400 and "outside the video" in json.dumps(outside.json())
    gap = [{"start_frame": 0, "end_frame": 3, "caption": "a"}, {"start_frame": 5, "end_frame": 7, "caption": "b"}]
    assert (
        api.post(url, {"masklet": masklet.pk, "kind": "rdcap", "dense_captions": gap}, format="json").status_code == 400
    )
    deleted = api.post(
        url, {"masklet": 987654, "kind": "rcap", "start_frame": 0, "end_frame": 1, "caption": "x"}, format="json"
    )
    assert deleted.status_code == 400 and "does not exist" in json.dumps(deleted.json())
    path = tmp_path / "stc.tar"
    counts = export_to_path(project, "plm-stc", str(path))
    assert (counts["rcap"], counts["rtloc"], counts["rdcap"]) == (1, 1, 1)
    with tarfile.open(path) as tar:
        rcap = json.loads(tar.extractfile("rcap.jsonl").read())
        rdcap = json.loads(tar.extractfile("rdcap.jsonl").read())
    assert list(rcap) == ["uid", "video", "masklet_id", "total_frames", "caption", "start_frame", "end_frame"]
    assert list(rdcap) == ["uid", "video", "masklet_id", "total_frames", "dense_captions"]
    assert rcap["video"] == f"sav_{video.pk:06d}.mp4" and rcap["masklet_id"] == 3 and rcap["total_frames"] == 12
    assert rdcap["dense_captions"] == dense
    with tarfile.open(path) as tar:  # `video` names a 6 fps video of the 12 annotated frames in the export
        (tmp_path / "stc.mp4").write_bytes(tar.extractfile(rcap["video"]).read())
    assert (probe_video(str(tmp_path / "stc.mp4")).fps, probe_video(str(tmp_path / "stc.mp4")).frame_count) == (6.0, 12)
    # the SA-V export of the same project names the same video and masklet
    sav = tmp_path / "sav.tar"
    with pytest.raises(ExportRefused, match=rf"set video_environment \(Indoor or Outdoor\).*sav_{video.pk:06d}"):
        export_to_path(project, "sav", str(sav))
    Video.objects.filter(pk=video.pk).update(environment="Outdoor")
    project.refresh_from_db()
    export_to_path(project, "sav", str(sav))
    with tarfile.open(sav) as tar:
        record = json.loads(tar.extractfile(f"sav_{video.pk:06d}_manual.json").read())
    assert record["video_id"] + ".mp4" == rcap["video"] and record["masklet_id"] == [rcap["masklet_id"]]


def test_masklet_review_and_removing_a_captioned_object_is_refused(video_with_masklet, client_for):
    masklet = video_with_masklet["masklet"]
    reviewer_api = client_for(video_with_masklet["reviewer"])
    queue = reviewer_api.get(f"/api/projects/{video_with_masklet['project'].pk}/review/queue/?kind=masklet").json()
    assert [m["id"] for m in queue["results"]] == [masklet.pk]
    assert (
        reviewer_api.post(f"/api/masklets/{masklet.pk}/review/", {"decision": "fix"}, format="json").status_code == 400
    )
    judged = reviewer_api.post(
        f"/api/masklets/{masklet.pk}/review/", {"decision": "reject", "reason": "drifts after frame 7"}, format="json"
    )
    assert judged.json()["status"] == "rejected"
    back = client_for(video_with_masklet["annotator"]).get("/api/me/rejections/").json()["results"]
    assert back[0]["masklet"] == masklet.pk and back[0]["reason"] == "drifts after frame 7"
    from backend.annotations.models import RegionCaption
    from backend.annotations.services import masklet_delete
    from backend.core.errors import InvalidInput

    RegionCaption.objects.create(masklet=masklet, kind="rcap", start_frame=0, end_frame=1, caption="x")
    with pytest.raises(InvalidInput, match="region captions"):
        masklet_delete(masklet)
    assert Masklet.objects.filter(pk=masklet.pk).exists() and Video.objects.exists()


def test_video_session_shows_its_tracker_prompts_and_object_categories_change(video_with_masklet, client_for, settings):
    from backend.inference.video import reset_tracker
    from backend.media.models import Frame
    from backend.projects.models import Category

    settings.VIDEO_MODEL = "classical"
    reset_tracker()
    video, masklet = video_with_masklet["video"], video_with_masklet["masklet"]
    Frame.objects.create(video=video, index=0, source_index=0, timestamp=0, storage_key="none")
    api = client_for(video_with_masklet["annotator"])
    session = api.post(f"/api/videos/{video.pk}/session/").json()
    assert session["tracker"]["version"].startswith("classical") and session["tracker"]["fallback"] is False
    assert (
        api.post(
            f"/api/video-sessions/{session['id']}/prompts/",
            {"frame": 0, "obj_id": 3, "points": [[5, 5]], "labels": [1]},
            format="json",
        ).status_code
        == 202
    )
    stored = api.post(f"/api/videos/{video.pk}/session/").json()["prompts"]
    assert [(p["frame"], p["obj_id"], p["points"]) for p in stored] == [(0, 3, [[5.0, 5.0]])]
    category = Category.objects.create(project=video.project, name="square")
    changed = api.patch(f"/api/videos/{video.pk}/masklets/3/", {"category": category.pk}, format="json")
    assert changed.status_code == 200 and Masklet.objects.get(pk=masklet.pk).category_id == category.pk
    assert api.patch(f"/api/videos/{video.pk}/masklets/3/", {"category": 99999}, format="json").status_code == 400
    assert (
        api.post(
            f"/api/video-sessions/{session['id']}/prompts/",
            {"frame": 40, "obj_id": 3, "points": [[5, 5]], "labels": [1]},
            format="json",
        ).status_code
        == 400
    )  # outside the video
    for obj_id in range(10, 22):  # at least ten objects per video
        assert (
            api.post(
                f"/api/video-sessions/{session['id']}/prompts/",
                {"frame": 0, "obj_id": obj_id, "box": [1, 1, 20, 20]},
                format="json",
            ).status_code
            == 202
        )
    assert Masklet.objects.filter(video=video).count() == 13
    reset_tracker()
