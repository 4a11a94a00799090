"""Celery tasks of inference (gpu queue): embeddings, automatic masks, video operations."""

from backend.inference.automatic import auto_annotate_run, proposals_run
from backend.inference.services import embedding_job_run
from backend.inference.video_runner import video_prompt_run, video_propagate_run
from backend.jobs.worker import job_task


@job_task("inference.compute_embedding")
def compute_embedding(job) -> dict:
    return embedding_job_run(job)


@job_task("inference.propose_masks")
def propose_masks(job) -> dict:
    return proposals_run(job)


@job_task("inference.auto_annotate")
def auto_annotate(job) -> dict:
    return auto_annotate_run(job)


@job_task("inference.video_prompt")
def video_prompt(job) -> dict:
    return video_prompt_run(job)


@job_task("inference.video_propagate")
def video_propagate(job) -> dict:
    return video_propagate_run(job)
