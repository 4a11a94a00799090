"""Reads of retraining schedules: a project's schedules, one schedule, its history, when it fires
next, and the masks accepted since a moment."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from backend.annotations.models import Mask
from backend.core.errors import NotFound
from backend.projects.models import Project
from backend.training.models import ScheduledRun, TrainingSchedule
from backend.training.schedule_clock import Clock
from backend.training.selectors import round_last

_RELATED = ("periodic_task__interval", "periodic_task__crontab")


def schedule_list(*, project: Project) -> QuerySet[TrainingSchedule]:
    return TrainingSchedule.objects.filter(project=project).select_related(*_RELATED)


def schedule_get(*, project: Project, schedule_id: int) -> TrainingSchedule:
    """A schedule of `project` (the caller has checked the user may manage the project)."""
    schedule = schedule_list(project=project).filter(pk=schedule_id).first()
    if schedule is None:
        raise NotFound("No schedule matches the given query.")
    return schedule


def schedule_runs(*, schedule: TrainingSchedule) -> QuerySet[ScheduledRun]:
    return ScheduledRun.objects.filter(schedule=schedule).select_related("training_round__job")


def schedule_last_run(schedule: TrainingSchedule) -> ScheduledRun | None:
    return schedule_runs(schedule=schedule).first()


def schedule_clock(schedule: TrainingSchedule) -> Clock:
    task = schedule.periodic_task
    if task is None:
        return Clock()
    if task.interval is not None:
        every, period = task.interval.every, task.interval.period
        if period == "seconds" and every % 60 == 0:  # never written by the API; shown as minutes
            every, period = every // 60, "minutes"
        return Clock(every=every, period=period)
    if task.crontab is not None:
        c = task.crontab
        return Clock(cron=" ".join([c.minute, c.hour, c.day_of_month, c.month_of_year, c.day_of_week]))
    return Clock()


def clock_last_fired(schedule: TrainingSchedule) -> datetime | None:
    """When the clock last fired this schedule (its history: written at once, unlike beat's
    last_run_at, which beat saves every few minutes)."""
    return (
        ScheduledRun.objects.filter(schedule=schedule, trigger=ScheduledRun.Trigger.TIME)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def schedule_next_run(schedule: TrainingSchedule, now: datetime | None = None) -> datetime | None:
    """When beat fires the clock next: from the moment it last fired (as beat's DatabaseScheduler
    counts, from the task's last change when it never did). None: paused, or no clock."""
    task = schedule.periodic_task
    if schedule.paused or task is None or not task.enabled:
        return None
    now = now or timezone.now()
    last = max(filter(None, [task.last_run_at, clock_last_fired(schedule)]), default=None) or task.date_changed
    return max(clock_due_after(task, last), now)


def clock_due_after(task, last: datetime) -> datetime:
    """When the PeriodicTask's clock is due after a run at `last` (beat's own arithmetic)."""
    clock = task.schedule
    if task.interval is not None:
        return last + clock.run_every
    start, ends_in, _ = clock.remaining_delta(last, tz=clock.tz)
    return start + ends_in


def masks_accepted_since(project: Project, since: datetime | None) -> int:
    """Masks kept (submitted or accepted) in the project since `since` (None: all of them)."""
    masks = Mask.objects.filter(image__project=project, status__in=Mask.KEPT)
    if since is not None:
        masks = masks.filter(updated_at__gt=since)
    return masks.count()


def last_round_started_at(project: Project) -> datetime | None:
    last = round_last(project)
    return last.created_at if last is not None else None
