"""The fully automatic stage on a real worker with a tiny SAM: the batch job survives a killed
worker and every image is done exactly once; the semi-automatic stage pre-fills proposals."""

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


def test_fully_automatic_job_survives_a_killed_worker(tiny_sam, worker_factory, make_user, client_for, project_factory):
    manager = make_user("auto-manager")
    api = client_for(manager)
    project = project_factory(manager, name="auto-stage")
    assert api.patch(f"/api/projects/{project.pk}/", {"stage": "auto"}, format="json").json()["stage"] == "auto"
    images = api.post(f"/api/projects/{project.pk}/images/", {"files": _scenes(16)}, format="multipart").json()
    assert len(images) == 16
    first = wait_for_worker(worker_factory(**tiny_sam))
    job_id = api.post(f"/api/projects/{project.pk}/auto-annotate/", SETTINGS, format="json").json()["id"]
    wait_until(lambda: AutoMaskRun.objects.filter(job_id=job_id).count() >= 3, timeout=180, what="a few images done")
    first.kill()
    job = Job.objects.get(pk=job_id)
    done_before = AutoMaskRun.objects.filter(job_id=job_id).count()
    assert job.state == "running" and done_before < 16, "the job finished before the worker could be killed"

    second = wait_for_worker(worker_factory(**tiny_sam))
    job = wait_for_job(job_id, timeout=300, worker=second)
    assert job.state == "succeeded", job.message
    assert job.attempts == 2 and job.progress == 1.0
    runs = AutoMaskRun.objects.filter(job_id=job_id)
    assert sorted(runs.values_list("image_id", flat=True)) == sorted(i["id"] for i in images)  # each image once
    for run in runs:
        stored = Mask.objects.filter(image_id=run.image_id, source="auto")
        assert stored.count() == run.mask_count  # no image's masks were written twice
    assert job.result["masks"] == Mask.objects.filter(image__project=project, source="auto").count() > 0
    assert set(Mask.objects.filter(image__project=project).values_list("status", flat=True)) == {"submitted"}
    second.stop()


def test_semi_automatic_stage_prefills_proposals(tiny_sam, worker_factory, make_user, client_for, project_factory):
    manager = make_user("semi-manager")
    api = client_for(manager)
    project = project_factory(manager, name="semi-stage")
    worker = wait_for_worker(worker_factory(**tiny_sam))
    image = api.post(f"/api/projects/{project.pk}/images/", {"files": _scenes(1)}, format="multipart").json()[0]
    # the project's generator settings, loosened for the tiny network, apply to its proposals
    response = api.patch(f"/api/projects/{project.pk}/", {"stage": "semi", "amg_settings": SETTINGS}, format="json")
    assert response.json()["amg_settings"] == SETTINGS
    job = Job.objects.get(kind="propose_masks", subject_id=image["id"])
    assert wait_for_job(job.pk, worker=worker).state == "succeeded", Job.objects.get(pk=job.pk).message
    proposals = api.get(f"/api/masks/?image={image['id']}&status=proposed").json()
    assert proposals["count"] > 0 and {m["source"] for m in proposals["results"]} == {"auto"}
    assert api.get(f"/api/masks/?image={image['id']}&status=submitted").json()["count"] == 0
    worker.stop()
