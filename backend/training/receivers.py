"""What training does when lower apps announce events (connected in TrainingConfig.ready())."""

from functools import partial

from django.db import transaction

from backend.core.compiled import CompiledQuery
from backend.training.models import TrainingSchedule
from backend.training.schedule_services import schedules_after_masks_kept
from backend.training.services import maybe_start_threshold_round


def on_masks_kept(sender, *, project, **kwargs) -> None:
    """Newly kept masks may reach the project's retraining threshold (checked once they commit)."""
    if project.retrain_every_masks:
        transaction.on_commit(partial(maybe_start_threshold_round, project))


def on_masks_kept_fire_schedules(sender, *, project, **kwargs) -> None:
    """Newly kept masks may reach a schedule's every_masks (fired once they commit)."""
    if _SCHEDULE_BY_MASKS.first(project_id=project.pk) is not None:
        transaction.on_commit(partial(schedules_after_masks_kept, project.pk))


# Every saved mask asks this: built and compiled once per process.
_SCHEDULE_BY_MASKS = CompiledQuery(
    "a running schedule counting masks",
    TrainingSchedule,
    lambda shape, *, project_id: TrainingSchedule.objects.filter(
        project_id=project_id, paused=False, every_masks__isnull=False
    ).values_list("pk", flat=True)[:1],
    {"project_id": int},
)


def on_schedule_deleted(sender, instance: TrainingSchedule, **kwargs) -> None:
    """A schedule gone (deleted, or with its project) takes its periodic task along: beat forgets it."""
    from django_celery_beat.models import PeriodicTask

    if instance.periodic_task_id is not None:
        PeriodicTask.objects.filter(pk=instance.periodic_task_id).delete()
