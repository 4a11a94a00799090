"""The full image path with tiny official SAM and SAM 2 networks loaded from checkpoints in the
official format: ingest -> embedding job on a real worker -> predict -> save mask -> COCO export
(API job and CLI) -> pycocotools loads it and COCOeval of the export against itself gives AP 1.0."""

import contextlib
import io
import json

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image as PILImage
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from backend.inference.models import Embedding
from backend.inference.runtime import reset_model
from backend.jobs.models import Job
from engine import rle as rle_ops
from engine.synthetic import make_scene
from models.checkpoints import TEST_CHECKPOINTS
from models.tiny import save_tiny_sam, save_tiny_sam2
from tests.conftest import wait_for_job, wait_for_worker

pytestmark = pytest.mark.integration
SAVERS = {"sam:tiny": save_tiny_sam, "sam2:tiny": save_tiny_sam2}


@pytest.fixture(params=sorted(SAVERS))
def tiny_model(request, tmp_path_factory, settings, transactional_db, worker_factory):
    spec = request.param
    folder = tmp_path_factory.mktemp(spec.replace(":", "-"))
    SAVERS[spec](folder / TEST_CHECKPOINTS[spec].file_name, seed=0)
    # Random tiny weights: served only because the test allows unverified weights (under a warning).
    settings.MODEL, settings.MODEL_CHECKPOINT_DIR, settings.MODEL_ALLOW_UNVERIFIED = spec, str(folder), True
    reset_model()
    worker = wait_for_worker(worker_factory(MODEL=spec, MODEL_CHECKPOINT_DIR=folder, MODEL_ALLOW_UNVERIFIED=1))
    yield spec, worker
    worker.stop()
    reset_model()


def coco_ap_against_itself(path) -> float:
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO(str(path))
        detections = truth.loadRes(
            [
                {
                    "image_id": a["image_id"],
                    "category_id": a["category_id"],
                    "segmentation": a["segmentation"],
                    "score": 1.0,
                }
                for a in truth.dataset["annotations"]
            ]
        )
        evaluation = COCOeval(truth, detections, iouType="segm")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return float(evaluation.stats[0])


def test_ingest_embed_predict_save_export(tiny_model, make_user, client_for, project_factory, tmp_path):
    spec, worker = tiny_model
    manager = make_user("loop-manager")
    api = client_for(manager)
    project = project_factory(manager, name=f"loop-{spec}", categories=("shape",))
    pixels, truths = make_scene(seed=9, height=180, width=240, n_shapes=2)
    buffer = io.BytesIO()
    PILImage.fromarray(pixels).save(buffer, "PNG")
    image = api.post(
        f"/api/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("scene.png", buffer.getvalue())]},
        format="multipart",
    ).json()[0]
    embed_job = Job.objects.get(kind="embed", subject_id=image["id"])
    assert wait_for_job(embed_job.pk, worker=worker).state == Job.State.SUCCEEDED, Job.objects.get(
        pk=embed_job.pk
    ).message
    embedding = Embedding.objects.get(sha256=image["sha256"])
    assert embedding.model_version.startswith(spec + "@") and embedding.status == "ready"

    ys, xs = np.nonzero(truths[0])
    click = [[float(xs.mean()), float(ys.mean())]]
    answer = api.post(
        f"/api/images/{image['id']}/predict/", {"points": click, "labels": [1], "multimask": True}, format="json"
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["model"]["version"] == embedding.model_version and body["model"]["fallback"] is False
    assert body["model"]["warning"].startswith("UNVERIFIED MODEL")  # what the annotator's banner shows
    assert len(body["masks"]) == 3
    chosen = max(body["masks"], key=lambda m: rle_ops.area(m["rle"]))
    assert chosen["rle"]["size"] == [180, 240]
    category = project.categories.get().pk
    saved = api.post(
        "/api/masks/",
        {
            "image": image["id"],
            "category": category,
            "rle": chosen["rle"],
            "source": "assisted",
            "seconds": 3.2,
            "clicks": 1,
            "model_version": body["model"]["version"],
            "prompts": [{"kind": "point", "x": click[0][0], "y": click[0][1], "label": 1, "t_ms": 0}],
        },
        format="json",
    )
    assert saved.status_code == 201, saved.content
    manual = api.post(
        "/api/masks/",
        {
            "image": image["id"],
            "category": category,
            "rle": rle_ops.encode(truths[1]),
            "source": "manual",
            "seconds": 20,
            "clicks": 0,
        },
        format="json",
    )
    assert manual.status_code == 201

    export = api.post(f"/api/projects/{project.pk}/exports/", {"format": "coco"}, format="json")
    assert export.status_code == 202, export.content
    job = wait_for_job(export.json()["job"]["id"], worker=worker)
    assert job.state == Job.State.SUCCEEDED, job.message
    detail = api.get(f"/api/exports/{export.json()['id']}/").json()
    assert detail["item_count"] == 2 and detail["job"]["progress"] == 1.0
    download = api.get(detail["download_url"])
    path = tmp_path / "api-export.json"
    path.write_bytes(b"".join(download.streaming_content))
    exported = json.loads(path.read_text())
    assert {a["iscrowd"] for a in exported["annotations"]} == {0}
    assert [c["name"] for c in exported["categories"]] == ["shape"]
    assert exported["images"][0]["width"] == 240 and exported["images"][0]["height"] == 180
    assert coco_ap_against_itself(path) == pytest.approx(1.0)

    cli_path = tmp_path / "cli-export.json"
    call_command(
        "export",
        "--project",
        project.name,
        "--format",
        "coco",
        "--out",
        str(cli_path),
        stdout=io.StringIO(),
        verbosity=0,
    )
    cli = json.loads(cli_path.read_text())
    assert cli["annotations"] == exported["annotations"] and cli["images"] == exported["images"]
