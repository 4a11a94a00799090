"""The fully automatic stage on real workers with a tiny SAM: the run, fanned out over three
workers, survives a killed one and every image is done exactly once; the semi-automatic stage
pre-fills proposals."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from backend.annotations.models import AutoMaskRun, Mask
from backend.inference.runtime import reset_model
from backend.jobs.models import Job
from engine.synthetic import make_scene
from models.checkpoints import TEST_CHECKPOINTS
from models.tiny import save_tiny_sam
from tests.conftest import wait_for_job, wait_for_worker, wait_until

pytestmark = pytest.mark.integration
REDELIVERY = {"CELERY_VISIBILITY_TIMEOUT": 2, "CELERY_RESTORE_INTERVAL": 1}
# A tiny random network rarely passes SAM's thresholds: keep every candidate, on a coarse grid.
SETTINGS = {"points_per_side": 6, "pred_iou_thresh": 0.0, "stability_score_thresh": 0.0}


@pytest.fixture
def tiny_sam(tmp_path_factory, settings, transactional_db):
    folder = tmp_path_factory.mktemp("tiny-sam")
    save_tiny_sam(folder / TEST_CHECKPOINTS["sam:tiny"].file_name, seed=0)
    # Random tiny weights: served only because the test allows unverified weights (under a warning).
    settings.MODEL, settings.MODEL_CHECKPOINT_DIR, settings.MODEL_ALLOW_UNVERIFIED = "sam:tiny", str(folder), True
    reset_model()
    yield {"MODEL": "sam:tiny", "MODEL_CHECKPOINT_DIR": folder, "MODEL_ALLOW_UNVERIFIED": 1, **REDELIVERY}
    reset_model()


def _scenes(count: int) -> list:
    files = []
    for seed in range(count):
        pixels, _ = make_scene(seed=200 + seed, height=120, width=160, n_shapes=3)
        buffer = io.BytesIO()
        PILImage.fromarray(pixels).save(buffer, "PNG")
        files.append(SimpleUploadedFile(f"scene-{seed}.png", buffer.getvalue()))
    return files


def test_a_fanned_out_automatic_run_over_three_workers_survives_a_killed_one(
    tiny_sam, worker_factory, make_user, client_for, project_factory, tmp_path
):
    """24 images in chunks of 4 over three workers; one worker stops inside its chunk (a failpoint,
    after its first image) and is SIGKILLed: the run finishes with every image done exactly once."""
    manager = make_user("auto-manager")
    api = client_for(manager)
    project = project_factory(manager, name="auto-stage")
    assert api.patch(f"/api/projects/{project.pk}/", {"stage": "auto"}, format="json").json()["stage"] == "auto"
    images = api.post(f"/api/projects/{project.pk}/images/", {"files": _scenes(24)}, format="multipart").json()
    assert len(images) == 24
    env = {**tiny_sam, "JOB_CHUNK_ITEMS": 4, "JOB_FAILPOINT_DIR": tmp_path}
    victim = worker_factory(**env, JOB_FAILPOINTS="auto_annotate_chunk")
    others = [worker_factory(**env) for _ in range(2)]
    for worker in (victim, *others):
        wait_for_worker(worker)
    job_id = api.post(f"/api/projects/{project.pk}/auto-annotate/", SETTINGS, format="json").json()["id"]
    [reached] = wait_until(lambda: list(tmp_path.glob("*.reached")), timeout=240, what="the victim inside a chunk")
    stopped = Job.objects.get(pk=int(reached.stem.rsplit("-", 1)[1]))
    assert stopped.parent_id == job_id and stopped.worker == victim.hostname and stopped.state == "running"
    victim.kill()

    job = wait_for_job(job_id, timeout=300)
    assert job.state == "succeeded", job.message
    chunks = Job.objects.filter(parent_id=job_id)
    assert chunks.count() == 6 == job.chunk_count and set(chunks.values_list("state", flat=True)) == {"succeeded"}
    stopped.refresh_from_db()
    assert stopped.attempts == 2 and stopped.worker != victim.hostname  # finished by another worker
    finishers = set(chunks.values_list("worker", flat=True))
    assert finishers <= {w.hostname for w in others} and len(finishers) == 2  # both survivors took chunks
    runs = AutoMaskRun.objects.filter(job_id=job_id)
    assert sorted(runs.values_list("image_id", flat=True)) == sorted(i["id"] for i in images)  # each image once
    for run in runs:
        stored = Mask.objects.filter(image_id=run.image_id, source="auto")
        assert stored.count() == run.mask_count  # no image's masks were written twice
    assert job.result["masks"] == Mask.objects.filter(image__project=project, source="auto").count() > 0
    assert job.result["images"] == 24 and job.progress == 1.0
    assert set(Mask.objects.filter(image__project=project).values_list("status", flat=True)) == {"submitted"}
    for worker in others:
        worker.stop()


def test_semi_automatic_stage_prefills_proposals(tiny_sam, worker_factory, make_user, client_for, project_factory):
    manager = make_user("semi-manager")
    api = client_for(manager)
    project = project_factory(manager, name="semi-stage")
    worker = wait_for_worker(worker_factory(**tiny_sam))
    image = api.post(f"/api/projects/{project.pk}/images/", {"files": _scenes(1)}, format="multipart").json()[0]
    # the project's generator settings, loosened for the tiny network, apply to its proposals
    response = api.patch(f"/api/projects/{project.pk}/", {"stage": "semi", "amg_settings": SETTINGS}, format="json")
    assert response.json()["amg_settings"] == SETTINGS
    job = Job.objects.get(kind="propose_masks_batch", project=project)
    assert wait_for_job(job.pk, worker=worker).state == "succeeded", Job.objects.get(pk=job.pk).message
    proposals = api.get(f"/api/masks/?image={image['id']}&status=proposed").json()
    assert proposals["count"] > 0 and {m["source"] for m in proposals["results"]} == {"auto"}
    assert api.get(f"/api/masks/?image={image['id']}&status=submitted").json()["count"] == 0
    worker.stop()
