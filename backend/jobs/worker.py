"""Worker side of jobs: the heartbeat bootstep (its thread also runs the reconciler) and the
decorator that turns a work function into a Celery task running under the Job state machine."""

import logging
from collections.abc import Callable

from celery import bootsteps, shared_task
from celery.worker import state as worker_state
from django.conf import settings
from django.db import close_old_connections

from backend.jobs.celery_app import app
from backend.jobs.heartbeat import Heartbeat
from backend.jobs.models import Job
from backend.jobs.services import JobBusy, job_run

log = logging.getLogger(__name__)
FOLLOW_UPS = 8  # queued jobs one delivery may run after its own (job_task's then), so others get their turn


def _holds_a_task() -> bool:
    """Whether this worker process has a task reserved, running or waiting for its ETA."""
    return bool(worker_state.requests)


class HeartbeatStep(bootsteps.StartStopStep):
    """The worker's heartbeat thread (backend.jobs.heartbeat), which also runs the reconciler."""

    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.heartbeat: Heartbeat | None = None

    def start(self, worker):
        queues = sorted(worker.app.amqp.queues.consume_from or worker.app.amqp.queues)
        self.heartbeat = Heartbeat(worker.hostname, queues, busy=_holds_a_task, reconcile=True).start()

    def stop(self, worker):
        if self.heartbeat is not None:
            self.heartbeat.stop()


app.steps["worker"].add(HeartbeatStep)


def job_task(name: str, then: Callable[[Job], tuple[int, Callable] | None] | None = None) -> Callable:
    """Decorate `work(job) -> result dict` into a task `name(job_id)`.

    A worker that dies mid-task leaves its job running on a worker that no longer beats: the
    reconciler sends it again (late acks with reject-on-worker-lost also let the broker redeliver
    it; whichever comes first runs it, the other is ignored). Job.max_attempts caps the attempts.

    then(job): after a job ends, the (id, work) of a queued job to run next in the same delivery
    (at most FOLLOW_UPS of them), or None; each is claimed as any delivery claims it, so its own
    message, when it comes, finds it done and does nothing."""

    def decorate(work: Callable[[Job], dict | None]):
        @shared_task(
            name=name, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None
        )
        def task(self, job_id: int, route: int = 0):
            close_old_connections()
            try:
                delivery_run(job_id, work, worker=self.request.hostname or "", route=route, then=then)
            except JobBusy as busy:
                # Still running elsewhere: look again later; if that worker dies, this delivery takes over.
                raise self.retry(countdown=2 * settings.WORKER_HEARTBEAT_SECONDS) from busy

        task.work, task.then = work, then
        return task

    return decorate


def delivery_run(job_id: int, work, *, worker: str, route: int | None = None, then=None) -> None:
    """One delivery of a job task: the job, then up to FOLLOW_UPS queued jobs that then(job) names
    (see job_task). JobBusy from the delivered job goes to the caller (the task retries later)."""
    job = job_run(job_id, work, worker=worker, route=route)
    for _ in range(FOLLOW_UPS if then is not None else 0):
        following = then(job) if job is not None and job.is_final else None
        if following is None:
            return
        try:
            job = job_run(following[0], following[1], worker=worker)
        except JobBusy:  # taken by another worker meanwhile: its own delivery runs it
            return
