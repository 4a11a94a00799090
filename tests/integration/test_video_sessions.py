"""Video masklets with a tiny SAM 2 on real workers: two objects, propagation both ways, a
correction, the worker killed mid-session and the session rebuilt by replay on another worker; the
stored masks equal the bare tracker's on the same operations; SA-V export of the result."""

import io
import json
import tarfile

import numpy as np
import pytest
import torch
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.annotations.models import MaskletFrame
from backend.exports.services import export_to_path
from backend.inference.models import VideoSession
from backend.inference.video import StorageFrames, reset_tracker
from backend.jobs.models import Job
from backend.media.models import Video
from engine import rle as rle_ops
from engine.formats.sav import read_sav
from models.checkpoints import TEST_CHECKPOINTS
from models.registry import resolve_tracker
from models.tiny import save_tiny_sam2
from models.trust import TrustPolicy
from tests import media_factory as mf
from tests.conftest import wait_for_job, wait_for_worker

pytestmark = pytest.mark.integration
SIZE = 256


@pytest.fixture
def tiny_sam2(tmp_path_factory, settings, transactional_db):
    folder = tmp_path_factory.mktemp("tiny-sam2")
    save_tiny_sam2(folder / TEST_CHECKPOINTS["sam2:tiny"].file_name, seed=0)
    # Random tiny weights: served only because the test allows unverified weights (under a warning).
    settings.VIDEO_MODEL, settings.MODEL_CHECKPOINT_DIR, settings.VIDEO_IMAGE_SIZE = "sam2:tiny", str(folder), SIZE
    settings.MODEL_ALLOW_UNVERIFIED = True
    reset_tracker()
    yield {
        "VIDEO_MODEL": "sam2:tiny",
        "MODEL_CHECKPOINT_DIR": folder,
        "MODEL_ALLOW_UNVERIFIED": 1,
        "VIDEO_IMAGE_SIZE": SIZE,
        "OMP_NUM_THREADS": 1,
        "CELERY_VISIBILITY_TIMEOUT": 2,
        "CELERY_RESTORE_INTERVAL": 1,
    }
    reset_tracker()


def done(api, response, worker):
    assert response.status_code == 202, response.content
    job = wait_for_job(response.json()["id"], timeout=180, worker=worker)
    assert job.state == Job.State.SUCCEEDED, job.message
    return job


def test_session_survives_a_killed_worker_and_exports_sav(
    tiny_sam2, worker_factory, make_user, client_for, project_factory, tmp_path
):
    manager = make_user("video-manager")
    api = client_for(manager)
    project = project_factory(manager, name="clips", kind="video")
    first = wait_for_worker(worker_factory(**tiny_sam2))
    upload = api.post(
        f"/api/projects/{project.pk}/videos/",
        {"files": [SimpleUploadedFile("clip.mp4", mf.video_bytes(frames=48))]},
        format="multipart",
    ).json()[0]
    assert wait_for_job(upload["extraction_job"]["id"], worker=first).state == "succeeded"
    video = Video.objects.get(pk=upload["id"])
    session = api.post(f"/api/videos/{video.pk}/session/").json()
    assert session["frame_count"] == 12
    base = f"/api/video-sessions/{session['id']}"
    x = int(16 * (160 - 30) / 47) + 15  # the square's centre on annotated frame 4 (source frame 16)
    operations = [
        ("prompt", {"frame": 4, "obj_id": 1, "points": [[x, 45]], "labels": [1]}),
        ("prompt", {"frame": 4, "obj_id": 2, "box": [100, 60, 150, 90]}),
        ("propagate", {"start": 4, "direction": "both"}),
        ("prompt", {"frame": 8, "obj_id": 1, "points": [[5, 5]], "labels": [0]}),
    ]
    for kind, body in operations:
        done(api, api.post(f"{base}/{'prompts' if kind == 'prompt' else 'propagate'}/", body, format="json"), first)
    assert VideoSession.objects.get(pk=session["id"]).worker == first.hostname
    first.kill()  # the worker holding the session dies

    second = wait_for_worker(worker_factory(**tiny_sam2))
    last = ("propagate", {"start": 8, "direction": "forward", "obj_ids": [1]})
    done(api, api.post(f"{base}/propagate/", last[1], format="json"), second)
    assert VideoSession.objects.get(pk=session["id"]).worker == second.hostname  # rebuilt there by replay
    second.stop()

    expected = reference_masks(video, tiny_sam2["MODEL_CHECKPOINT_DIR"], [*operations, last])
    stored = {
        (f.masklet.object_id, f.frame_index): (rle_ops.decode(f.rle), f.edited)
        for f in MaskletFrame.objects.filter(masklet__video=video).select_related("masklet")
    }
    assert set(stored) == set(expected)
    for key, (mask, edited) in expected.items():
        assert stored[key][1] == edited, key
        assert np.array_equal(stored[key][0], mask), f"object {key[0]} frame {key[1]} differs from the bare tracker"

    assert api.patch(f"/api/videos/{video.pk}/", {"environment": "Indoor"}, format="json").status_code == 200
    path = tmp_path / "sav.tar"
    export_to_path(project, "sav", str(path), frames=True)
    with tarfile.open(path) as tar:
        names = tar.getnames()
        record = read_sav(io.StringIO(tar.extractfile(f"sav_{video.pk:06d}_manual.json").read().decode()))
    # 48 frames at 24 fps: the SA-V video is the clip itself, 12 annotated frames (every 4th).
    assert f"sav_{video.pk:06d}.mp4" in names and record["video_frame_count"] == 48.0
    assert len([n for n in names if n.endswith(".jpg")]) == 48
    visible = {obj for (obj, _), (mask, _) in expected.items() if mask.any()}
    assert record["masklet_id"] == sorted(visible) and len(record["masklet"]) == 12
    if 1 in visible:
        assert record["masklet_edited_frame_count"][record["masklet_id"].index(1)] == 2  # frames 4 and 8
    assert json.loads(json.dumps(record))["video_width"] == 160.0


def reference_masks(video, checkpoint_dir, operations) -> dict:
    """The same operations on the bare tracker in this process, with the app's storage rules:
    prompted frames are a person's (edited); propagation writes its objects but keeps those."""
    torch.set_num_threads(1)
    loaded = resolve_tracker("sam2:tiny", checkpoint_dir, image_size=SIZE, trust=TrustPolicy(allow_unverified=True))
    assert loaded.fallback_reason is None
    tracker = loaded.tracker
    state = tracker.start(StorageFrames(video))
    result: dict = {}
    for kind, body in operations:
        if kind == "prompt":
            masks = tracker.add_prompts(
                state,
                body["frame"],
                body["obj_id"],
                np.asarray(body["points"], np.float32) if "points" in body else None,
                np.asarray(body["labels"], np.int32) if "labels" in body else None,
                np.asarray(body["box"], np.float32) if "box" in body else None,
            )
            result[(body["obj_id"], body["frame"])] = (masks[body["obj_id"]], True)
            continue
        objects = set(body.get("obj_ids") or [1, 2])
        passes = {"forward": [False], "backward": [True], "both": [False, True]}[body["direction"]]
        for reverse in passes:
            for frame, masks in tracker.propagate(state, start=body["start"], reverse=reverse):
                for obj, mask in masks.items():
                    if obj in objects and not result.get((obj, frame), (None, False))[1]:
                        result[(obj, frame)] = (mask, False)
    return result
