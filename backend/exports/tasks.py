"""Celery tasks of exports (cpu queue)."""

from backend.exports.services import export_job_run
from backend.jobs.worker import job_task


@job_task("exports.run_export")
def run_export(job) -> dict:
    return export_job_run(job)
