"""The beat scheduler of every deployment (settings.CELERY_BEAT_SCHEDULER): django-celery-beat's
DatabaseScheduler, which fires retraining schedules in the beat process itself instead of sending
them to a worker. Firing only writes rows (a round's job is queued for the train workers), so a
busy or stopped worker never delays a tick, and a beat that was down fires each overdue schedule
once when it is back (beat's own rule), never a queue of stale ticks."""

from django_celery_beat.models import PeriodicTasks
from django_celery_beat.schedulers import DatabaseScheduler

from backend.training.models import ScheduledRun
from backend.training.schedule_services import FIRE_TASK, schedule_fire


class TrainingScheduler(DatabaseScheduler):
    def setup_schedule(self):
        # DatabaseScheduler notices a change only against an earlier change time: with none stored
        # yet (no periodic task ever saved), the first schedule created would wait for its
        # five-minute full reload. Store one now.
        if PeriodicTasks.last_change() is None:
            PeriodicTasks.update_changed()
        super().setup_schedule()

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        if entry.task == FIRE_TASK and entry.args:
            schedule_fire(int(entry.args[0]), ScheduledRun.Trigger.TIME)
            return None
        return super().apply_async(entry, producer=producer, advance=advance, **kwargs)
