"""Celery tasks of retraining: rounds on the train queue, and the triggers of beat's schedules."""

import contextlib

from celery import shared_task

from backend.jobs.services import JobFailed
from backend.jobs.worker import job_task
from backend.projects.models import Project
from backend.training.models import ScheduledRun, TrainingRound
from backend.training.schedule_services import FIRE_TASK, schedule_fire
from backend.training.services import RoundRunning, round_start


@job_task("training.run_round")
def run_round(job) -> dict:
    # The runner imports torch and the training package: only the process that trains pays for them.
    from backend.training.runner import round_run

    training_round = TrainingRound.objects.select_related("project").filter(job=job).first()
    if training_round is None:
        raise JobFailed("the round was deleted")
    return round_run(training_round, job)


@job_task("training.run_simulation")
def run_simulation(job) -> dict:
    # Imports torch and the training package, as rounds do.
    from backend.training.simulation import simulation_run

    return simulation_run(job)


@shared_task(name="training.scheduled_round", ignore_result=True)
def scheduled_round(project_id: int) -> None:
    """What a django-celery-beat PeriodicTask calls (args: [project_id]); skips a busy project."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return
    with contextlib.suppress(RoundRunning):
        round_start(project=project, trigger=TrainingRound.Trigger.SCHEDULE)


@shared_task(name=FIRE_TASK, ignore_result=True)
def scheduled_fire(schedule_id: int) -> None:
    """A retraining schedule's clock tick, when a plain DatabaseScheduler sends it to a worker
    (backend.training.beat.TrainingScheduler fires it in the beat process instead)."""
    schedule_fire(schedule_id, ScheduledRun.Trigger.TIME)
