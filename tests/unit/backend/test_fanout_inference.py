"""Inference's batch jobs on the fan-out: an embedding backfill split into chunks encodes every image
once for the version it fixed when it split; a proposal batch stores each image's masks once
whichever chunk (or attempt) does it; the generator reuses an image's stored embedding."""

import io

import numpy as np
import pytest
from PIL import Image as PILImage

from backend.annotations.models import AutoMaskRun, Mask
from backend.inference import automatic
from backend.inference.automatic import automatic_batch_run, automatic_chunk_run, automatic_records
from backend.inference.backfill import embeddings_backfill_run, embeddings_backfill_schedule, embeddings_chunk_run
from backend.inference.models import Embedding
from backend.inference.runtime import serving_model
from backend.inference.services import embedding_compute
from backend.jobs.models import Job
from backend.jobs.services import job_claim, job_create, job_run
from backend.media.services import media_ingest

LOOSE = {"points_per_side": 2, "pred_iou_thresh": 0.0, "stability_score_thresh": 0.0}


@pytest.fixture
def images(db, manager, project_factory, without_embedding_on_upload, settings):
    settings.JOB_CHUNK_ITEMS = 2
    project = project_factory(manager)
    uploads = []
    for n in range(5):
        pixels = np.zeros((32, 40, 3), np.uint8)
        pixels[4 + n : 20 + n, 6:30] = (200, 40 * n, 90)
        buffer = io.BytesIO()
        PILImage.fromarray(pixels).save(buffer, "PNG")
        buffer.seek(0)
        uploads.append((buffer, f"{n}.png"))
    return [image for image, _ in media_ingest(project=project, uploads=uploads, user=manager)]


def run_all(job, batch_work, chunk_work, commit):
    commit(job_run, job.pk, batch_work, worker="a@host")
    for chunk in Job.objects.filter(parent=job).order_by("id"):
        commit(job_run, chunk.pk, chunk_work, worker="b@host")
    job.refresh_from_db()
    return job


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def test_a_backfill_encodes_every_image_once_over_its_chunks(images, manager, commit):
    project = images[0].project
    job = commit(embeddings_backfill_schedule, project, manager)
    job = run_all(job, embeddings_backfill_run, embeddings_chunk_run, commit)
    version = serving_model(project).version
    assert job.state == "succeeded" and job.chunk_count == 3 and job.result == {"images": 5, "chunks": 3}
    assert job.params["model_version"] == version  # fixed when it split
    ready = Embedding.objects.filter(model_version=version, status="ready")
    assert sorted(ready.values_list("sha256", flat=True)) == sorted(i.sha256 for i in images)


def test_a_proposal_batch_does_each_image_once_even_when_a_chunk_runs_again(images, manager, commit):
    project = images[0].project
    project.amg_settings = LOOSE
    project.save()
    job = commit(automatic.proposals_batch_schedule, project, manager)
    commit(job_run, job.pk, automatic_batch_run, worker="a@host")
    first = Job.objects.filter(parent=job).order_by("id").first()
    automatic_chunk_run(job_claim(first.pk, worker="dead@host"))  # an attempt stored its images, then died
    Job.objects.filter(pk=first.pk).update(state="queued", worker="")  # reclaimed (backend.jobs.reconcile)
    job = run_all(job, automatic_batch_run, automatic_chunk_run, commit)
    assert job.state == "succeeded" and job.chunk_count == 3
    runs = AutoMaskRun.objects.filter(job=job)
    assert sorted(runs.values_list("image_id", flat=True)) == sorted(i.pk for i in images)
    for run in runs:
        assert Mask.objects.filter(image_id=run.image_id, status="proposed").count() == run.mask_count
    assert job.result["masks"] == Mask.objects.filter(image__project=project).count() > 0


def test_the_generator_uses_the_stored_embedding_instead_of_encoding(images, monkeypatch):
    image = images[0]
    embedding_compute(image=image)
    encoded = automatic_records(image, LOOSE)[0]
    segmenter = serving_model(image.project).segmenter

    def no_encoder(pixels):
        raise AssertionError("the whole image was encoded again")

    monkeypatch.setattr(segmenter, "embed", no_encoder)
    assert automatic_records(image, LOOSE)[0] == encoded


def test_an_automatic_run_that_fits_in_one_chunk_is_done_by_the_batch_job(images, manager, commit):
    project = images[0].project
    job = job_create(
        kind="auto_annotate",
        queue="gpu",
        task_name="inference.auto_annotate",
        project=project,
        subject=project,
        params=automatic.AutoAnnotateParams(settings=LOOSE),
    )
    for image in images[2:]:
        image.delete()
    job = run_all(job, automatic_batch_run, automatic_chunk_run, commit)
    assert job.state == "succeeded" and job.chunk_count == 0 and job.result["images"] == 2
