"""Embedding backfills: when a project's serving model changes, every image of the project is
encoded for the new version ahead of the annotators, as one batch job fanned out over the gpu
workers (backend.jobs.fanout). An image already encoded for that version is skipped."""

from django.conf import settings

from backend.inference.jobs import EmbedParams
from backend.inference.runtime import serving_model
from backend.inference.services import embedding_compute
from backend.jobs.fanout import FannedOut, chunk_items, job_fan_out
from backend.jobs.models import Job
from backend.jobs.services import JobFailed, job_checkpoint, job_create, job_enqueue, job_progress
from backend.media.models import Image
from backend.projects.models import Project


def embeddings_backfill_schedule(project: Project, user=None, model_version: str = "") -> Job:
    """Encode every image of the project for `model_version` (default: whatever serves the project
    when the job starts)."""
    job = job_create(
        kind="embed_backfill",
        queue="gpu",
        task_name="inference.embed_backfill",
        project=project,
        subject=project,
        created_by=user,
        params=EmbedParams(model_version=model_version),
    )
    job_enqueue(job)
    return job


def embeddings_backfill_run(job: Job) -> dict | FannedOut:
    project = Project.objects.filter(pk=job.subject_id).first()
    if project is None:
        raise JobFailed("the project was deleted")
    version = EmbedParams.of(job).model_version
    if not version:  # fixed now, so that every chunk encodes for the same version
        version = serving_model(project).version
        Job.objects.filter(pk=job.pk).update(params=EmbedParams(model_version=version).to_json())
        job.params = EmbedParams(model_version=version).to_json()
    image_ids = list(Image.objects.filter(project=project).order_by("id").values_list("id", flat=True))
    if len(image_ids) > settings.JOB_CHUNK_ITEMS:
        return job_fan_out(job, items=image_ids, task_name="inference.embed_chunk")
    return _encode(job, version, image_ids)


def embeddings_chunk_run(chunk: Job) -> dict:
    return _encode(chunk, EmbedParams.of(chunk.parent).model_version, chunk_items(chunk))


def _encode(job: Job, version: str, image_ids: list[int]) -> dict:
    images = Image.objects.in_bulk(image_ids)
    for position, image_id in enumerate(image_ids, start=1):
        if image_id in images:
            job_checkpoint(job)
            embedding_compute(image=images[image_id], model_version=version)
        job_progress(job, position / max(len(image_ids), 1), f"{position} of {len(image_ids)} images")
    return {"images": len(images)}


def on_serving_model_changed(sender, *, project: Project, version=None, **kwargs) -> None:
    """A promoted or rolled-back model re-embeds the project (EMBED_BACKFILL_ON_PROMOTE)."""
    if settings.EMBED_BACKFILL_ON_PROMOTE and Image.objects.filter(project=project).exists():
        embeddings_backfill_schedule(project, model_version=version.version if version is not None else "")
