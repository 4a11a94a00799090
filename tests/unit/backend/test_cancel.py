"""Cancel is cooperative inside long work: an automatic run stops between batches of points of
an image (not at the end of the image), an export between items. The latency is measured by
bench/bench_faults.py; here, that the work stops and stores nothing of the unfinished item."""

import io

import numpy as np
import pytest
from PIL import Image as PILImage

from backend.annotations.models import AutoMaskRun, Mask
from backend.annotations.services import mask_create
from backend.exports.models import ExportJob
from backend.exports.services import export_create, export_job_run
from backend.inference import automatic
from backend.inference.automatic import auto_annotate_schedule, image_auto_masks
from backend.jobs.models import Job
from backend.jobs.services import JobCancelled, job_cancel, job_checkpoint, job_claim
from backend.media.services import media_ingest
from engine import rle as rle_ops


@pytest.fixture
def image(db, manager, project_factory, without_embedding_on_upload):
    project = project_factory(manager)
    buffer = io.BytesIO()
    PILImage.fromarray(np.full((48, 64, 3), 90, np.uint8)).save(buffer, "PNG")
    [(stored, _)] = media_ingest(project=project, uploads=[(buffer, "a.png")], user=manager)
    return stored


def test_a_cancelled_automatic_run_stops_inside_the_image_and_stores_nothing_of_it(image, manager, monkeypatch):
    job = auto_annotate_schedule(image.project, manager, {"points_per_side": 2})
    running = job_claim(job.pk, worker="w@host")
    checks = []

    def cancel_after_the_first_batch():  # a click on "cancel" while the generator works on the image
        checks.append(1)
        if len(checks) == 2:
            job_cancel(Job.objects.get(pk=job.pk))

    # the real checkpoint, asked every time (not twice a second), after the click on "cancel"
    monkeypatch.setattr(automatic, "job_checkpoint", lambda j: (cancel_after_the_first_batch(), job_checkpoint(j, 0)))
    with pytest.raises(JobCancelled):
        image_auto_masks(running, image, Mask.Status.SUBMITTED, {"points_per_side": 2, "points_per_batch": 1})
    assert len(checks) == 2  # asked before the embedding and after the first batch, then stopped
    assert not AutoMaskRun.objects.exists() and not Mask.objects.exists()


def test_a_cancelled_export_stops_at_the_next_item(image, manager):
    for row in range(3):
        mask = np.zeros((48, 64), bool)
        mask[row * 10 : row * 10 + 5, 5:20] = True
        mask_create(image=image, user=manager, rle=rle_ops.encode(mask))
    export = export_create(project=image.project, fmt=ExportJob.Format.COCO, user=manager)
    running = job_claim(export.job_id, worker="w@host")
    job_cancel(Job.objects.get(pk=export.job_id))
    with pytest.raises(JobCancelled):
        export_job_run(running)
    export.refresh_from_db()
    assert export.storage_key == "" and Job.objects.get(pk=export.job_id).state == "cancelled"
