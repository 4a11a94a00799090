"""Worker side of jobs: the heartbeat bootstep and the decorator that turns a work function into a
Celery task running under the Job state machine."""

import logging
import os
from collections.abc import Callable

from celery import bootsteps, shared_task
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from backend.jobs.celery_app import app
from backend.jobs.models import Job, WorkerHeartbeat
from backend.jobs.selectors import live_workers
from backend.jobs.services import JobBusy, job_run, jobs_reroute_from_dead_workers

log = logging.getLogger(__name__)


def record_heartbeat(hostname: str, queues: list[str], started_at) -> None:
    close_old_connections()
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname,
        defaults={"queues": queues, "pid": os.getpid(), "started_at": started_at, "last_seen": timezone.now()},
    )


class HeartbeatStep(bootsteps.StartStopStep):
    """Every WORKER_HEARTBEAT_SECONDS, the worker upserts its WorkerHeartbeat row."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None
        self.started_at = timezone.now()

    def _beat(self, worker) -> None:
        try:
            queues = sorted(worker.app.amqp.queues.consume_from or worker.app.amqp.queues)
            record_heartbeat(worker.hostname, queues, self.started_at)
            # Every live worker also watches for jobs stuck on the queue of a dead one.
            live = set(live_workers(settings.WORKER_STALE_SECONDS).values_list("hostname", flat=True))
            moved = jobs_reroute_from_dead_workers(live)
            if moved:
                log.warning("re-sent jobs %s from stopped workers' queues", moved)
        except Exception:
            log.exception("worker heartbeat failed")

    def start(self, worker):
        self._beat(worker)
        self.tref = worker.timer.call_repeatedly(settings.WORKER_HEARTBEAT_SECONDS, self._beat, (worker,), priority=10)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
        WorkerHeartbeat.objects.filter(hostname=worker.hostname).delete()


app.steps["worker"].add(HeartbeatStep)


def job_task(name: str) -> Callable:
    """Decorate `work(job) -> result dict` into a task `name(job_id)`.

    Late acks with reject-on-worker-lost: a worker that dies mid-task leaves the message to be
    redelivered, and Job.max_attempts caps how often that can happen."""

    def decorate(work: Callable[[Job], dict | None]):
        @shared_task(
            name=name, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None
        )
        def task(self, job_id: int, route: int = 0):
            close_old_connections()
            try:
                job_run(job_id, work, worker=self.request.hostname or "", route=route)
            except JobBusy as busy:
                # Still running elsewhere: look again later; if that worker dies, this delivery takes over.
                raise self.retry(countdown=2 * settings.WORKER_HEARTBEAT_SECONDS) from busy

        task.work = work
        return task

    return decorate
