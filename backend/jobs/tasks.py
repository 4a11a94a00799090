"""Celery tasks of jobs: the reconciler, which celery beat runs every JOB_RECONCILE_SECONDS."""

from celery import shared_task

from backend.jobs.reconcile import jobs_reconcile


@shared_task(name="jobs.reconcile", ignore_result=True)
def reconcile() -> dict:
    report = jobs_reconcile()
    return {name: ids for name, ids in vars(report).items() if ids}
