"""An automatic run over the same images with 1 and with 2 gpu worker processes (Celery over Redis,
PostgreSQL, a tiny SAM on CPU, one torch thread each): images per minute, from the job row's own
timestamps (scheduled to finished; the workers are up and idle before the run is scheduled).

Every run starts cold for the images: the embeddings of the previous run are deleted and the
workers are fresh processes, so each run encodes every image once (the generator stores the
embedding and reuses it). The workers are warm for the model: each loads it (an embedding of a
warm-up image sent to its own queue) before the run is scheduled, as a deployment's workers are."""

from __future__ import annotations

import io
from pathlib import Path

from tests.processes import process_env, tiny_sam_env, wait_for, worker_service

# A tiny random network rarely passes SAM's thresholds: keep every candidate, on a coarse grid.
AMG = {"points_per_side": 4, "pred_iou_thresh": 0.0, "stability_score_thresh": 0.0}


def make_project(images: int, size: tuple[int, int] = (120, 160)):
    """A project in the fully automatic stage with `images` generated scenes (no embeddings
    scheduled: the runs below must do the encoding themselves)."""
    from django.contrib.auth import get_user_model
    from PIL import Image as PILImage

    from backend.media import signals
    from backend.media.services import media_ingest
    from backend.projects.models import Project
    from engine.synthetic import make_scene

    user = get_user_model().objects.create_user("bench-scale", is_staff=True)
    project = Project.objects.create(name="scale", stage=Project.Stage.AUTO, created_by=user)
    signals.image_created.disconnect(dispatch_uid="inference.embed_new_images")
    uploads = []
    for seed in range(images):
        pixels, _ = make_scene(seed=500 + seed, height=size[0], width=size[1], n_shapes=3)
        buffer = io.BytesIO()
        PILImage.fromarray(pixels).save(buffer, "PNG")
        buffer.seek(0)
        uploads.append((buffer, f"scene-{seed}.png"))
    media_ingest(project=project, uploads=uploads, user=user)
    return project, user


def run_with_workers(project, user, workers: int, folder: Path, chunk_items: int) -> dict:
    from backend.inference.automatic import auto_annotate_schedule
    from backend.inference.models import Embedding
    from backend.jobs.models import Job, WorkerHeartbeat

    Embedding.objects.all().delete()
    env = process_env(
        **tiny_sam_env(folder / "checkpoints"),  # allows the tiny SAM's unverified weights
        JOB_CHUNK_ITEMS=chunk_items,
        OMP_NUM_THREADS=1,
        LOG_LEVEL="WARNING",
    )
    services = [worker_service(env, folder / "logs", queues="gpu").start() for _ in range(workers)]
    try:
        names = {service.name for service in services}
        wait_for(
            lambda: WorkerHeartbeat.objects.filter(hostname__in=names, idle_since__isnull=False).count() == len(names),
            240,
            f"{workers} idle workers",
            interval=0.5,
        )
        _warm(services, project)
        Embedding.objects.all().delete()
        job = auto_annotate_schedule(project, user, AMG)  # autocommit: published at once
        job = wait_for(lambda: _final(job.pk), 1800, "the automatic run", interval=0.5)
        if job.state != Job.State.SUCCEEDED:
            raise RuntimeError(f"the automatic run ended {job.state}: {job.message}")
        seconds = (job.finished_at - job.created_at).total_seconds()
        chunks = Job.objects.filter(parent=job)
        return {
            "workers": workers,
            "images": job.result["images"],
            "masks": job.result["masks"],
            "seconds": round(seconds, 1),
            "images_per_minute": round(60 * job.result["images"] / seconds, 1),
            "chunks": chunks.count(),
            "chunk_workers": len(set(chunks.values_list("worker", flat=True))),
        }
    finally:
        for service in services:
            service.stop()
        WorkerHeartbeat.objects.all().delete()


def _warm(services, project) -> None:
    """Each worker loads the model: an embedding job of a warm-up image on its own queue."""
    from backend.inference.jobs import EmbedParams
    from backend.jobs.publish import direct_queue_name
    from backend.jobs.services import job_create, job_enqueue
    from backend.media.models import Image

    images = Image.objects.filter(project=project).order_by("id")
    jobs = []
    for service, image in zip(services, images, strict=False):
        job = job_create(
            kind="embed",
            queue=direct_queue_name(service.name),
            task_name="inference.compute_embedding",
            project=project,
            subject=image,
            params=EmbedParams(),
        )
        job_enqueue(job)
        jobs.append(job.pk)
    wait_for(lambda: all(_final(pk) for pk in jobs), 600, "the workers loading the model", interval=0.5)


def _final(job_id: int):
    from backend.jobs.models import Job

    job = Job.objects.get(pk=job_id)
    return job if job.is_final else None


def scaling(folder: Path, images: int = 24, chunk_items: int = 2) -> dict:
    project, user = make_project(images)
    one = run_with_workers(project, user, 1, folder, chunk_items)
    two = run_with_workers(project, user, 2, folder, chunk_items)
    return {"one": one, "two": two, "ratio": round(two["images_per_minute"] / one["images_per_minute"], 2)}
