"""Sending a job's message to the broker. The job row is the truth and the message only a wake-up
call: publishing happens after commit, never raises into the request, and a job whose message did
not go out stays queued for the reconciler (backend.jobs.reconcile) to send again."""

import logging
import threading
import time

from celery.utils.nodenames import worker_direct
from django.conf import settings
from django.db.models import Case, F, Q, TextField, Value, When
from django.utils import timezone
from kombu import Queue

from backend.core.commits import unflushed_commit
from backend.jobs.celery_app import app
from backend.jobs.models import Job

log = logging.getLogger(__name__)

DIRECT_QUEUE_SUFFIX = ".dq2"  # Celery's per-worker queues (worker_direct)
WAITING_FOR_BROKER = "waiting for the message broker; the job starts when it is reachable again"


def direct_queue_name(hostname: str) -> str:
    return worker_direct(hostname).name


def is_direct_queue(queue: str) -> bool:
    return queue.endswith(DIRECT_QUEUE_SUFFIX)


def direct_queue_worker(queue: str) -> str:
    return queue[: -len(DIRECT_QUEUE_SUFFIX)]


def destination(queue: str) -> str | Queue:
    """The queue to publish to. A worker's own queue is addressed as Celery declares it (exchange
    C.dq2, routing key the worker's name), never by its bare name: a bare name makes Celery invent an
    exchange named after the queue, and node names hold an '@', which kombu's filesystem transport
    refuses as an exchange name (kombu#2645). The refused declare then closes the producer's channel
    inside kombu's retry, and the publish fails with "'NoneType' object has no attribute 'client'"
    (issue 13)."""
    if is_direct_queue(queue):
        return worker_direct(direct_queue_worker(queue))
    return queue


class BrokerBreaker:
    """After a failed publish, requests skip the broker for a few seconds and leave their jobs to the
    reconciler, so a batch of uploads does not wait on an unreachable broker once per file."""

    def __init__(self, cooldown: float):
        self.cooldown = cooldown
        self._open_until = 0.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.cooldown

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0


breaker = BrokerBreaker(settings.JOB_PUBLISH_COOLDOWN_SECONDS)


def job_publish(job_id: int, *, force: bool = False) -> bool:
    """Send the message of a queued job's current route. Returns whether the broker took it; never
    raises (a failure is logged and written on the job for the user to read). force: try even while
    the breaker is open (the reconciler)."""
    return jobs_publish([job_id], force=force) == 1


def jobs_publish(job_ids: list[int], *, force: bool = False) -> int:
    """job_publish for several jobs committed together, in the order given: one read of their rows,
    a message each, one write marking those the broker took. Returns how many it took."""
    try:
        by_id = {job.pk: job for job in Job.objects.filter(pk__in=job_ids, state=Job.State.QUEUED).only(*_SENT)}
    except Exception:  # the database went away after the commit: the reconciler sends the jobs later
        log.exception("jobs %s not published: their rows could not be read", job_ids)
        return 0
    sent = [job for job in (by_id.get(pk) for pk in job_ids) if job is not None and _send(job, force)]
    if sent:
        published = Q()
        for job in sent:
            published |= Q(pk=job.pk, route=job.route)
        try:
            with unflushed_commit():  # bookkeeping: lost in a server crash, the reconciler sends them again
                Job.objects.filter(published).update(
                    published_at=timezone.now(),
                    message=Case(
                        When(message=WAITING_FOR_BROKER, then=Value("")),
                        default=F("message"),
                        output_field=TextField(),
                    ),
                )
        except Exception:  # sent all the same; the reconciler may send them again, which is harmless
            log.exception("jobs %s were published but not marked so", [job.pk for job in sent])
    return len(sent)


_SENT = ("task_name", "route", "queue")


def _send(job: Job, force: bool) -> bool:
    if not job.task_name:
        return False
    if breaker.is_open() and not force:
        _note_waiting(job)
        return False
    try:
        app.send_task(
            job.task_name,
            args=[job.pk],
            kwargs={"route": job.route},
            queue=destination(job.queue),
            retry_policy=settings.JOB_PUBLISH_RETRY_POLICY,
        )
    except Exception as exc:  # any broker failure: the job stays queued and the reconciler sends it
        breaker.trip()
        log.warning("job %s not published (%s: %s); the reconciler will send it", job.pk, type(exc).__name__, exc)
        _note_waiting(job)
        return False
    breaker.reset()
    return True


def _note_waiting(job: Job) -> None:
    try:
        Job.objects.filter(pk=job.pk, route=job.route, state=Job.State.QUEUED).update(message=WAITING_FOR_BROKER)
    except Exception:  # the database may be what failed; the job is queued either way
        log.exception("could not note on job %s that it waits for the broker", job.pk)
