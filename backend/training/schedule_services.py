"""Writes of retraining schedules: create, change, pause, resume and delete them, and fire them.

A schedule's clock is a django-celery-beat PeriodicTask (task `training.schedule_fire`, args
[schedule id]) with an IntervalSchedule or a CrontabSchedule: beat is the only scheduler. Firing
(beat's tick, or enough newly accepted masks) starts a round with the schedule's recipe through
round_start, which refuses a second round in a project, and records what it did in ScheduledRun."""

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from backend.core.errors import InvalidInput, ServiceError
from backend.projects.models import Project
from backend.training.config import RoundConfig
from backend.training.models import ScheduledRun, TrainingRound, TrainingSchedule
from backend.training.schedule_clock import PERIOD_SECONDS, Clock, clock_check, cron_fields
from backend.training.schedule_selectors import (
    clock_due_after,
    clock_last_fired,
    last_round_started_at,
    masks_accepted_since,
    schedule_clock,
)
from backend.training.selectors import round_running
from backend.training.services import RoundRunning, round_start

log = logging.getLogger(__name__)
FIRE_TASK = "training.schedule_fire"
Outcome, Trigger = ScheduledRun.Outcome, ScheduledRun.Trigger


@dataclass(frozen=True)
class ScheduleSpec:
    """Everything a schedule is, as the API gives it."""

    clock: Clock = field(default_factory=Clock)
    name: str = ""
    every_masks: int | None = None
    min_new_masks: int = 1
    config: dict[str, Any] = field(default_factory=dict)
    paused: bool = False

    def check(self) -> "ScheduleSpec":
        """The spec with its recipe normalised; InvalidInput naming the field otherwise."""
        clock_check(self.clock)
        if not self.clock.is_set and self.every_masks is None:
            raise InvalidInput({"detail": "a schedule needs a clock (every and period, or cron), every_masks, or both"})
        config = RoundConfig.from_json(self.config).to_json()
        return ScheduleSpec(self.clock, self.name, self.every_masks, self.min_new_masks, config, self.paused)


def schedule_spec(schedule: TrainingSchedule) -> ScheduleSpec:
    return ScheduleSpec(
        schedule_clock(schedule),
        schedule.name,
        schedule.every_masks,
        schedule.min_new_masks,
        dict(schedule.config),
        schedule.paused,
    )


def schedule_create(*, project: Project, user, spec: ScheduleSpec) -> TrainingSchedule:
    spec = spec.check()
    with transaction.atomic():
        schedule = TrainingSchedule.objects.create(
            project=project,
            name=spec.name,
            every_masks=spec.every_masks,
            min_new_masks=spec.min_new_masks,
            config=spec.config,
            paused=spec.paused,
            counting_since=timezone.now(),
            created_by=user,
        )
        _clock_write(schedule, spec.clock)
    return schedule


def schedule_update(schedule: TrainingSchedule, changes: dict[str, Any]) -> TrainingSchedule:
    """Apply the given fields (clock fields: every, period, cron). Setting cron drops an interval
    and setting every drops a cron, unless the change names both."""
    current = schedule_spec(schedule)
    clock = current.clock
    if {"every", "period", "cron"} & set(changes):
        every = changes.get("every", clock.every)
        period = changes.get("period", clock.period)
        cron = changes.get("cron", clock.cron)
        if changes.get("cron") is not None and "every" not in changes:
            every = None
        if changes.get("every") is not None and "cron" not in changes:
            cron = None
        if every is None and "period" not in changes:
            period = None
        clock = Clock(every=every, period=period, cron=cron)
    spec = ScheduleSpec(
        clock,
        changes.get("name", current.name),
        changes.get("every_masks", current.every_masks),
        changes.get("min_new_masks", current.min_new_masks),
        changes.get("config", current.config),
        changes.get("paused", current.paused),
    ).check()
    resumed = current.paused and not spec.paused
    with transaction.atomic():
        TrainingSchedule.objects.select_for_update().get(pk=schedule.pk)
        schedule.name, schedule.every_masks, schedule.min_new_masks = spec.name, spec.every_masks, spec.min_new_masks
        schedule.config, schedule.paused = spec.config, spec.paused
        if resumed:  # masks accepted while paused do not count, and the clock starts again from now
            schedule.counting_since = timezone.now()
        schedule.save()
        _clock_write(schedule, spec.clock, restart=resumed or clock != current.clock)
    schedule.refresh_from_db()
    return schedule


def schedule_delete(schedule: TrainingSchedule) -> None:
    """The schedule, its history and its periodic task (receivers.on_schedule_deleted; beat hears of
    it through django-celery-beat's own signals)."""
    schedule.delete()


def _clock_write(schedule: TrainingSchedule, clock: Clock, restart: bool = False) -> None:
    """Create, change or remove the schedule's PeriodicTask. restart: count the next tick from now."""
    task = schedule.periodic_task
    if not clock.is_set:
        if task is not None:
            TrainingSchedule.objects.filter(pk=schedule.pk).update(periodic_task=None)
            schedule.periodic_task = None
            task.delete()
        return
    if task is None:
        task = PeriodicTask(name=f"training schedule {schedule.pk}", task=FIRE_TASK, args=json.dumps([schedule.pk]))
        task.queue = "cpu"  # where a plain DatabaseScheduler sends it (TrainingScheduler fires it itself)
    if clock.every is not None:
        seconds = clock.every * PERIOD_SECONDS[clock.period]
        task.interval, _ = IntervalSchedule.objects.get_or_create(every=clock.every, period=clock.period)
        task.crontab = None
    else:
        fields = cron_fields(clock.cron)
        task.crontab, _ = CrontabSchedule.objects.get_or_create(**fields, timezone="UTC")
        task.interval = None
        seconds = 3600
    # A tick a worker could not take in time is dropped, not run late (a plain DatabaseScheduler).
    task.expire_seconds = max(30, min(seconds // 2, 3600))
    task.enabled = not schedule.paused
    task.description = f"project {schedule.project_id}: {schedule.name or 'retraining schedule'}"
    if restart and task.pk is not None:
        task.last_run_at = timezone.now()
    task.save()
    if schedule.periodic_task_id != task.pk:
        schedule.periodic_task = task
        TrainingSchedule.objects.filter(pk=schedule.pk).update(periodic_task=task)


# --- firing ----------------------------------------------------------------------------------


def schedule_fire(schedule_id: int, trigger: str) -> ScheduledRun | None:
    """One firing: start a round with the schedule's recipe, or record why not. None when there was
    nothing to do (paused or deleted, a repeated clock tick, masks below the threshold)."""
    try:
        return _fire(schedule_id, trigger)
    except DatabaseError:
        raise  # nothing can be recorded; beat tries at the next tick
    except Exception as exc:  # a bug must not stop the schedule: it is recorded for the manager
        log.exception("schedule %s failed to fire", schedule_id)
        if not TrainingSchedule.objects.filter(pk=schedule_id).exists():
            return None
        return ScheduledRun.objects.create(
            schedule_id=schedule_id, trigger=trigger, outcome=Outcome.FAILED, message=f"{type(exc).__name__}: {exc}"
        )


def _fire(schedule_id: int, trigger: str) -> ScheduledRun | None:
    with transaction.atomic():
        schedule = TrainingSchedule.objects.select_for_update().filter(pk=schedule_id).first()
        if schedule is None or schedule.paused:
            return None
        if trigger == Trigger.TIME and not _clock_due(schedule):
            return None
        project = Project.objects.get(pk=schedule.project_id)
        since = last_round_started_at(project)
        new_masks = masks_accepted_since(project, since)
        running = round_running(project)
        if trigger == Trigger.MASKS:
            counted_from = max(filter(None, [since, schedule.counting_since]))
            new_masks = masks_accepted_since(project, counted_from)
            if not schedule.every_masks or new_masks < schedule.every_masks:
                return None
            if running is not None and _skip_recorded(schedule, running):
                return None  # one record per running round, not one per accepted mask
        if running is not None:
            return _skipped_running(schedule, trigger, running, new_masks)
        if trigger == Trigger.TIME and new_masks < schedule.min_new_masks:
            message = f"{new_masks} mask(s) accepted since the last round; this schedule needs {schedule.min_new_masks}"
            return _record(schedule, trigger, Outcome.SKIPPED_FEW_MASKS, new_masks, message=message)
        try:
            with transaction.atomic():
                training_round = round_start(
                    project=project, trigger=TrainingRound.Trigger.SCHEDULE, config=schedule.config
                )
        except RoundRunning as exc:
            return _skipped_running(schedule, trigger, exc.current, new_masks)
        except ServiceError as exc:
            return _record(schedule, trigger, Outcome.FAILED, new_masks, message=str(exc))
        message = f"round {training_round.pk} queued with {new_masks} new mask(s)"
        return _record(schedule, trigger, Outcome.STARTED, new_masks, training_round, message)


def _clock_due(schedule: TrainingSchedule) -> bool:
    """False for a tick that repeats one already fired (a beat restarted before saving its last run
    time, or a second beat): the clock is due only once per period of the schedule's own history."""
    task = schedule.periodic_task
    if task is None or not task.enabled:
        return False
    last = clock_last_fired(schedule)
    if last is None:
        return True
    period = task.schedule.run_every if task.interval is not None else None
    tolerance = min(timedelta(seconds=30), period / 4) if period else timedelta(seconds=30)
    return clock_due_after(task, last) <= timezone.now() + tolerance


def _skip_recorded(schedule: TrainingSchedule, running: TrainingRound) -> bool:
    return ScheduledRun.objects.filter(
        schedule=schedule, outcome=Outcome.SKIPPED_RUNNING, training_round=running, trigger=Trigger.MASKS
    ).exists()


def _skipped_running(schedule, trigger, running: TrainingRound | None, new_masks: int) -> ScheduledRun:
    which = f"round {running.pk}" if running is not None else "another round"
    state = running.job.state if running is not None else "running"
    message = f"{which} was still {state}; a project trains one round at a time"
    return _record(schedule, trigger, Outcome.SKIPPED_RUNNING, new_masks, running, message)


def _record(schedule, trigger, outcome, new_masks, training_round=None, message="") -> ScheduledRun:
    run = ScheduledRun.objects.create(
        schedule=schedule,
        trigger=trigger,
        outcome=outcome,
        training_round=training_round,
        new_masks=new_masks,
        message=message,
    )
    log.info("schedule %s (%s): %s %s", schedule.pk, trigger, outcome, message)
    return run


def schedules_after_masks_kept(project_id: int) -> list[ScheduledRun]:
    """The masks-accepted event: fire every active threshold schedule of the project that is due."""
    ids = TrainingSchedule.objects.filter(project_id=project_id, paused=False, every_masks__isnull=False)
    runs = [schedule_fire(pk, Trigger.MASKS) for pk in ids.values_list("pk", flat=True)]
    return [run for run in runs if run is not None]
