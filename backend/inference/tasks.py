"""Celery tasks of inference (gpu queue): embeddings, automatic masks, video operations."""

from backend.inference.automatic import automatic_batch_run, automatic_chunk_run, proposals_run
from backend.inference.backfill import embeddings_backfill_run, embeddings_chunk_run
from backend.inference.services import embedding_job_run
from backend.inference.video_runner import video_prompt_run, video_propagate_run, video_warm_run
from backend.jobs.worker import job_task


@job_task("inference.compute_embedding")
def compute_embedding(job) -> dict:
    return embedding_job_run(job)


@job_task("inference.embed_backfill")
def embed_backfill(job):
    return embeddings_backfill_run(job)


@job_task("inference.embed_chunk")
def embed_chunk(job) -> dict:
    return embeddings_chunk_run(job)


@job_task("inference.propose_masks")
def propose_masks(job) -> dict:
    return proposals_run(job)


@job_task("inference.auto_annotate")
def auto_annotate(job):
    return automatic_batch_run(job)


@job_task("inference.propose_masks_batch")
def propose_masks_batch(job):
    return automatic_batch_run(job)


@job_task("inference.automatic_chunk")
def automatic_chunk(job) -> dict:
    return automatic_chunk_run(job)


@job_task("inference.video_prompt")
def video_prompt(job) -> dict:
    return video_prompt_run(job)


@job_task("inference.video_propagate")
def video_propagate(job) -> dict:
    return video_propagate_run(job)


@job_task("inference.video_warm")
def video_warm(job) -> dict:
    return video_warm_run(job)
