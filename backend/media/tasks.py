"""Celery tasks of media: frame extraction on the cpu queue."""

from backend.jobs.worker import job_task
from backend.media.frames import frames_extract


@job_task("media.extract_frames")
def extract_frames(job) -> dict:
    return frames_extract(job)
