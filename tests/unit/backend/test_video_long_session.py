"""A long video through the worker's code path (frames read from storage, outputs spilled past the
memory window, masks stored by the writer thread as the tracker goes on), with tiny SAM 2: the
stored masks equal the bare tracker's on the same operations, frame for frame, and the session's
event stream carried every one of them."""

import numpy as np
import pytest
import torch

from backend.annotations.models import MaskletFrame
from backend.inference.tasks import video_prompt, video_propagate
from backend.inference.video import StorageFrames, current_tracker, reset_tracker
from backend.inference.video_events import session_channel
from backend.inference.video_services import prompt_add, propagate_schedule, session_open
from backend.jobs.events import subscribe
from backend.jobs.services import job_run
from bench.bench_video_app import make_video, write_video
from engine import rle as rle_ops
from models.checkpoints import TEST_CHECKPOINTS
from models.tiny import save_tiny_sam2

FRAMES = 120
CLICK = {"frame": 30, "obj_id": 1, "points": [[60.0, 80.0]], "labels": [1]}


@pytest.fixture
def tiny_sam2(tmp_path_factory, settings):
    folder = tmp_path_factory.mktemp("tiny-sam2")
    save_tiny_sam2(folder / TEST_CHECKPOINTS["sam2:tiny"].file_name, seed=0)
    settings.VIDEO_MODEL, settings.MODEL_CHECKPOINT_DIR, settings.VIDEO_IMAGE_SIZE = "sam2:tiny", str(folder), 256
    settings.MODEL_ALLOW_UNVERIFIED = True  # random tiny weights, for this test only
    reset_tracker()
    torch.set_num_threads(1)
    yield
    reset_tracker()


def test_a_long_session_through_the_worker_equals_the_bare_tracker(transactional_db, tiny_sam2, manager, tmp_path):
    from backend.projects.services import project_create

    write_video(tmp_path, FRAMES)
    video = make_video(project_create(user=manager, name="long", kind="video"), tmp_path, FRAMES)
    session = session_open(video)
    tracker = current_tracker().tracker
    assert tracker.memory_window < FRAMES // 2  # most of the pass is spilled, then read back

    with subscribe([session_channel(session.pk)]) as events:
        _, job = prompt_add(session=session, user=manager, kind="points", **CLICK)
        assert job_run(job.pk, video_prompt.work, worker="test").state == "succeeded"
        for direction in ("forward", "backward"):
            job = propagate_schedule(session=session, user=manager, start=CLICK["frame"], direction=direction)
            assert job_run(job.pk, video_propagate.work, worker="test").state == "succeeded"
        pushed = set()
        while (message := events.get(timeout=5)) is not None:
            if message["type"] == "masks":
                pushed |= {f["frame"] for f in message["frames"]}

    stored = {f.frame_index: rle_ops.decode(f.rle) for f in MaskletFrame.objects.filter(masklet__video=video)}
    assert sorted(stored) == list(range(FRAMES)) and pushed == set(stored)

    state = tracker.start(StorageFrames(video))
    points, labels = np.asarray(CLICK["points"], np.float32), np.asarray(CLICK["labels"], np.int32)
    expected = {CLICK["frame"]: tracker.add_prompts(state, CLICK["frame"], 1, points, labels)[1]}
    for reverse in (False, True):
        for frame, masks in tracker.propagate(state, start=CLICK["frame"], reverse=reverse):
            if frame != CLICK["frame"]:
                expected[frame] = masks[1]
    for frame, mask in expected.items():
        assert np.array_equal(stored[frame], mask), f"frame {frame} differs from the bare tracker"
