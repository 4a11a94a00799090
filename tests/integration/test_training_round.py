"""A retraining round on the train queue with a real worker: the candidate trained on the project's
masks beats the serving tiny SAM on the held-out masks, goes active, and the next predict request is
served by it — no process restarted. The same with the round on two processes (torchrun, DDP over
gloo) launched by the worker."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from backend.annotations.models import Mask
from backend.inference.runtime import reset_model
from backend.jobs.models import Job
from backend.training.models import ModelVersion, TrainingRound
from engine import rle as rle_ops
from engine.synthetic import make_scene
from models.checkpoints import TEST_CHECKPOINTS
from models.tiny import save_tiny_sam
from tests.conftest import wait_for_job, wait_for_worker

pytestmark = pytest.mark.integration
# The simulator's recipe for a tiny network learning from scratch on generated scenes.
RECIPE = {
    "steps": 120,
    "iterations": 3,
    "mask_only_iterations": 0,
    "masks_per_step": 3,
    "box_probability": 0.3,
    "lr": 0.01,
    "focal_weight": 1.0,
    "heldout_percent": 25,
}


@pytest.fixture
def tiny_sam(tmp_path_factory, settings, transactional_db):
    folder = tmp_path_factory.mktemp("tiny-sam-train")
    save_tiny_sam(folder / TEST_CHECKPOINTS["sam:tiny"].file_name, seed=0)
    # Random tiny weights: served only because the test allows unverified weights (under a warning).
    settings.MODEL, settings.MODEL_CHECKPOINT_DIR, settings.MODEL_ALLOW_UNVERIFIED = "sam:tiny", str(folder), True
    reset_model()
    yield {"MODEL": "sam:tiny", "MODEL_CHECKPOINT_DIR": folder, "MODEL_ALLOW_UNVERIFIED": 1, "OMP_NUM_THREADS": 1}
    reset_model()


@pytest.mark.parametrize("processes", [1, 2], ids=["one process", "two processes (torchrun, gloo)"])
def test_round_promotes_a_better_model_that_then_serves_predict(
    tiny_sam, worker_factory, make_user, client_for, project_factory, processes
):
    manager = make_user("trainer")
    api = client_for(manager)
    project = project_factory(manager, name="retrain", categories=("shape",))
    api.patch(f"/api/projects/{project.pk}/", {"gate_metric": "mIoU@1"}, format="json")
    worker = wait_for_worker(worker_factory(**tiny_sam, TRAINING_PROCESSES=processes))
    files, truths = [], []
    for seed in range(24):
        pixels, masks = make_scene(seed=seed, height=128, width=128, n_shapes=3)
        buffer = io.BytesIO()
        PILImage.fromarray(pixels).save(buffer, "PNG")
        files.append(SimpleUploadedFile(f"s{seed}.png", buffer.getvalue()))
        truths.append(masks)
    images = api.post(f"/api/projects/{project.pk}/images/", {"files": files}, format="multipart").json()
    for image, masks in zip(images, truths, strict=False):
        for mask in masks:
            assert (
                api.post(
                    "/api/masks/",
                    {"image": image["id"], "rle": rle_ops.encode(mask), "source": "manual"},
                    format="json",
                ).status_code
                == 201
            )
    first_version = api.post(
        f"/api/images/{images[0]['id']}/predict/", {"points": [[64, 64]], "labels": [1]}, format="json"
    )
    served_before = first_version.json()["model"]["version"]
    assert served_before.startswith("sam:tiny@")
    assert first_version.json()["model"]["warning"].startswith("UNVERIFIED MODEL")

    started = api.post(f"/api/projects/{project.pk}/rounds/", {"config": RECIPE}, format="json")
    assert started.status_code == 202, started.content
    job = wait_for_job(started.json()["job"]["id"], timeout=600, worker=worker)
    assert job.state == Job.State.SUCCEEDED, job.message + "\n" + TrainingRound.objects.get().log
    training_round = TrainingRound.objects.get()
    assert training_round.promoted is True, training_round.log
    candidate = ModelVersion.objects.get()
    assert (
        candidate.status == "active"
        and candidate.metrics["candidate"]["mIoU@1"] > candidate.metrics["parent"]["mIoU@1"]
    )
    assert training_round.masks_used == Mask.objects.count() - 3 * candidate.snapshot["heldout_images"]
    if processes > 1:  # each process took one image of every step, and the log says so
        assert "training on 2 processes (torchrun, DDP), 2 images per step" in training_round.log

    # the next predict is served by the new version, in this web process and on the worker
    image = images[1]["id"]
    pending = api.post(f"/api/images/{image}/predict/", {"points": [[64, 64]], "labels": [1]}, format="json")
    assert pending.status_code == 202 and pending.json()["model"]["version"] == candidate.version
    assert wait_for_job(pending.json()["job"]["id"], worker=worker).state == "succeeded"
    served = api.post(f"/api/images/{image}/predict/", {"points": [[64, 64]], "labels": [1]}, format="json")
    assert served.status_code == 200 and served.json()["model"]["version"] == candidate.version != served_before
    assert served.json()["model"]["warning"] is None  # a promoted version of this project: trusted
    rounds = api.get(f"/api/projects/{project.pk}/rounds/").json()["results"]
    assert rounds[0]["promoted"] is True and "promoted" in rounds[0]["log"]
