"""Celery tasks of inference (gpu queue): embeddings, automatic masks, video operations."""

from backend.inference.automatic import automatic_batch_run, automatic_chunk_run, proposals_run
from backend.inference.backfill import embeddings_backfill_run, embeddings_chunk_run
from backend.inference.services import embedding_job_run
from backend.inference.video_runner import video_prompt_run, video_propagate_run, video_warm_run
from backend.jobs.selectors import next_session_job
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


def _session_follow_up(job):
    """The session's next operation, if it is queued already (a click or a propagation the page sent
    while this one ran): the same delivery runs it at once instead of waiting for the broker to hand
    its message over (about 10 ms a job here), in the order the operations were made."""
    following = next_session_job(job, list(VIDEO_WORK))
    return None if following is None else (following.pk, VIDEO_WORK[following.kind])


@job_task("inference.video_prompt", then=_session_follow_up)
def video_prompt(job) -> dict:
    return video_prompt_run(job)


@job_task("inference.video_propagate", then=_session_follow_up)
def video_propagate(job) -> dict:
    return video_propagate_run(job)


@job_task("inference.video_warm", then=_session_follow_up)
def video_warm(job) -> dict:
    return video_warm_run(job)


VIDEO_WORK = {"video_prompt": video_prompt_run, "video_propagate": video_propagate_run, "video_warm": video_warm_run}
