"""Celery tasks of exports (cpu queue)."""

from backend.exports.models import ExportJob
from backend.exports.services import export_run
from backend.jobs.services import JobFailed, job_progress
from backend.jobs.worker import job_task


@job_task("exports.run_export")
def run_export(job) -> dict:
    export = ExportJob.objects.select_related("project").filter(job=job).first()
    if export is None:
        raise JobFailed("the export was deleted")
    return export_run(export, progress=lambda fraction: job_progress(job, fraction))
