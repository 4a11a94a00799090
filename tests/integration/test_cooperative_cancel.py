"""Cancel is cooperative inside long work on a real worker: a cancel clicked while a video
propagation is part way through its frames, or a training round through its steps, stops that work
at the next frame or step (the worker takes its next job): a propagation keeps the frames it stored
and the session goes on, a round leaves no candidate. The worker is held at the job's first progress report (a failpoint) so
that the click lands inside the work whatever the machine's speed; how soon a cancel takes effect
is measured by bench/bench_faults.py. (Automatic masks and exports: tests/unit/backend/test_cancel.py.)"""

import io

import pytest

from backend.inference.frame_writer import FrameWriter
from backend.inference.runtime import reset_model
from backend.jobs.models import Job
from backend.media.services import media_ingest
from backend.training.models import ModelVersion, TrainingRound
from backend.training.services import round_start
from engine import rle as rle_ops
from tests.conftest import wait_for_job, wait_for_worker, wait_until
from tests.fault_scenarios import Team, scene_png, video_clicks_and_propagation, video_upload
from tests.processes import tiny_sam_env

pytestmark = pytest.mark.integration


@pytest.fixture
def held(tmp_path):
    """The failpoint folder: the worker waits at a job's first progress report until released."""
    folder = tmp_path / "failpoints"
    folder.mkdir()
    return folder


def cancel_while_held(client, held, kind: str, job_id: int, team: Team, worker) -> None:
    """Wait until the worker is inside job `job_id`, click cancel, let the worker go on, and wait
    until it has left the job: a job queued behind it (on a worker of concurrency 1) is claimed."""
    marker = held / f"{kind}-{job_id}.reached"
    wait_until(marker.exists, 300, what=f"the {kind} job inside its work")
    assert client.post(f"/api/jobs/{job_id}/cancel/").json()["state"] == "cancelled"
    behind = team.project()
    data, _ = scene_png(77)
    media_ingest(project=behind, uploads=[(io.BytesIO(data), "behind.png")], user=team.user)
    marker.with_suffix(".release").write_text("go on")
    assert wait_for_job(Job.objects.get(project=behind, kind="embed").pk, worker=worker).state == "succeeded"
    assert Job.objects.get(pk=job_id).state == Job.State.CANCELLED


def test_a_cancel_stops_a_propagation_at_the_next_frame(transactional_db, worker_factory, held, client_for):
    worker = wait_for_worker(
        worker_factory(VIDEO_MODEL="classical", JOB_FAILPOINTS="video_propagate", JOB_FAILPOINT_DIR=held)
    )
    team = Team.make()
    client = client_for(team.user)
    video, extraction = video_upload(team)  # 40 annotated frames
    assert wait_for_job(extraction, timeout=240, worker=worker).state == "succeeded"
    *clicks, propagation = video_clicks_and_propagation(team, video)
    for click in clicks:
        assert wait_for_job(click, worker=worker).state == "succeeded"

    def tracked_frames() -> set[int]:
        stored = client.get(f"/api/videos/{video.pk}/masklets/").json()["frames"]
        return {row["frame"] for row in stored if row["frame"] > 0}

    wait_until((held / f"video_propagate-{propagation}.reached").exists, 300, what="the pass inside its work")
    before = tracked_frames()  # the writer is held at a progress report: nothing more is stored
    cancel_while_held(client, held, "video_propagate", propagation, team, worker)
    tracked = tracked_frames()
    total = client.get(f"/api/videos/{video.pk}/").json()["annotation_frame_count"]
    assert total == 40 and len(before) < 39
    # While held, the tracker went on at most FrameWriter.MAX_AHEAD frames (then waited for the
    # database), plus the one it was handing over; the writer notices the cancel after its next
    # batch, during which the tracker again runs at most that far ahead. Those few frames are
    # stored; none after them was computed.
    assert len(tracked - before) <= 2 * (FrameWriter.MAX_AHEAD + 1), (sorted(before), sorted(tracked))
    assert len(tracked) < 39

    # the session goes on: a new pass from the same clicks reaches every frame
    again = client.post(f"/api/video-sessions/{_session(video)}/propagate/", {"start": 0, "direction": "forward"})
    assert again.status_code == 202, again.content
    (held / f"video_propagate-{again.json()['id']}.release").write_text("not held")
    assert wait_for_job(again.json()["id"], timeout=600, worker=worker).state == "succeeded"
    stored = client.get(f"/api/videos/{video.pk}/masklets/").json()["frames"]
    for obj_id in (1, 2):
        assert {row["frame"] for row in stored if row["object_id"] == obj_id} == set(range(total))


@pytest.fixture
def tiny_sam(tmp_path, settings, transactional_db):
    """The tiny SAM serves in this process and on the worker (a round trains the serving model)."""
    model = tiny_sam_env(tmp_path / "checkpoints")
    settings.MODEL, settings.MODEL_CHECKPOINT_DIR = model["MODEL"], model["MODEL_CHECKPOINT_DIR"]
    settings.MODEL_ALLOW_UNVERIFIED = True  # random tiny weights: served under a warning
    reset_model()
    yield {**model, "MODEL_ALLOW_UNVERIFIED": 1, "OMP_NUM_THREADS": 1}
    reset_model()


def test_a_cancel_stops_a_training_round_at_the_next_step(tiny_sam, worker_factory, held, client_for):
    model = tiny_sam
    worker = wait_for_worker(worker_factory(**model, JOB_FAILPOINTS="training_round", JOB_FAILPOINT_DIR=held))
    team = Team.make()
    client = client_for(team.user)
    project = team.project()
    for seed in (61, 62, 63):
        data, truths = scene_png(seed)
        [(image, _)] = media_ingest(project=project, uploads=[(io.BytesIO(data), f"t{seed}.png")], user=team.user)
        for truth in truths:
            assert (
                client.post("/api/masks/", {"image": image.pk, "rle": rle_ops.encode(truth)}, format="json").status_code
                == 201
            )
    recipe = {"steps": 400, "heldout_percent": 0, "masks_per_step": 1, "iterations": 2, "mask_only_iterations": 0}
    training_round = round_start(project=project, user=team.user, config=recipe)

    cancel_while_held(client, held, "training_round", training_round.job_id, team, worker)
    training_round = TrainingRound.objects.get(pk=training_round.pk)
    assert not ModelVersion.objects.filter(project=project).exists()  # no candidate from a cancelled round
    assert training_round.promoted is None and "trained" not in training_round.log
    rounds = client.get(f"/api/projects/{project.pk}/rounds/").json()["results"]
    assert rounds[0]["job"]["state"] == "cancelled"


def _session(video) -> int:
    from backend.inference.models import VideoSession

    return VideoSession.objects.get(video=video).pk
