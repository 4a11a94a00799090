"""The reconciler: every job committed as queued runs, whatever happened to its message or worker.

Run by celery beat (task `jobs.reconcile`), by every worker's heartbeat thread and at its start, and
by the embedded supervisor. Each pass looks at the unfinished jobs and:

- publishes queued jobs whose message never reached the broker (it was down, or the process died
  between commit and publish), once they are JOB_PUBLISH_GRACE_SECONDS old;
- re-sends queued jobs whose message was lost: a live worker that consumes their queue has been idle
  since they were published (the filesystem broker loses what a killed worker had taken);
- reclaims running jobs whose worker stopped beating, was restarted since it claimed them, or has
  been idle since (the attempt ended but its end could not be written: the database was out);
- moves jobs pinned to a stopped worker's own queue (video sessions) to the shared queue;
- ends batch jobs whose chunks have all ended when the last chunk's end did not (backend.jobs.fanout).
  A batch job that was split runs with no worker of its own and is otherwise left alone: its chunks
  are ordinary jobs, published, re-sent and reclaimed like any other.

Re-sending bumps the job's route, so an old message that shows up later is ignored; every task is
idempotent on its job and the attempt cap still applies. Several reconcilers may run at once: each
job is re-checked under a row lock (skipped when another reconciler holds it)."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.jobs.fanout import fan_in
from backend.jobs.models import Job, WorkerHeartbeat
from backend.jobs.publish import direct_queue_worker, is_direct_queue, job_publish
from backend.jobs.selectors import holds, live_heartbeats

log = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    published: list[int] = field(default_factory=list)  # queued, never published: sent now
    resent: list[int] = field(default_factory=list)  # queued, message lost: sent again on a new route
    reclaimed: list[int] = field(default_factory=list)  # running on a stopped worker: queued again
    rerouted: list[int] = field(default_factory=list)  # pinned to a stopped worker's queue: moved
    unsent: list[int] = field(default_factory=list)  # due, but the broker did not take the message
    gathered: list[int] = field(default_factory=list)  # batch jobs ended after their last chunk

    def __bool__(self) -> bool:
        return bool(self.published or self.resent or self.reclaimed or self.rerouted or self.unsent or self.gathered)


@dataclass(frozen=True)
class Situation:
    """What one pass knows: the time and the live workers."""

    now: datetime
    workers: dict[str, WorkerHeartbeat]

    def idle_after_claim(self, beat: WorkerHeartbeat, job: Job) -> bool:
        """The worker that claimed the job has held no task, for at least the margin, since after
        the claim: the attempt ended without finishing the job (its end could not be written)."""
        if beat.idle_since is None or job.claimed_at is None or beat.idle_since <= job.claimed_at:
            return False
        return beat.last_seen - beat.idle_since >= timedelta(seconds=settings.JOB_LOST_MARGIN_SECONDS)

    def consumer_idle_since_publish(self, job: Job) -> bool:
        """A live worker consuming the job's queue reported itself idle, for at least the margin,
        at a time the message had been on the broker for at least the margin: it would have taken
        the message had it been there."""
        margin = timedelta(seconds=settings.JOB_LOST_MARGIN_SECONDS)
        for beat in self.workers.values():
            if job.queue not in beat.queues or beat.idle_since is None:
                continue
            if beat.last_seen - beat.idle_since >= margin and beat.last_seen >= job.published_at + margin:
                return True
        return False


def jobs_reconcile(now: datetime | None = None) -> ReconcileReport:
    report = ReconcileReport()
    situation = Situation(now or timezone.now(), live_heartbeats(now))
    publish_due = situation.now - timedelta(seconds=settings.JOB_PUBLISH_GRACE_SECONDS)
    lost_due = situation.now - timedelta(seconds=settings.JOB_LOST_GRACE_SECONDS)
    candidates = Job.objects.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING]).exclude(task_name="")
    fields = ("pk", "state", "queue", "worker", "claimed_at", "published_at", "updated_at", "chunk_count")
    for job in candidates.only(*fields).order_by("id"):
        verdict = _verdict(job, situation, publish_due, lost_due)
        if verdict is not None:
            _act(job.pk, verdict, situation, publish_due, lost_due, report)
    _gather(report)
    if report:
        log.warning("reconciled jobs: %s", report)
    return report


def _gather(report: ReconcileReport) -> None:
    """End the split batch jobs none of whose chunks is left to run."""
    unfinished = [Job.State.QUEUED, Job.State.RUNNING]
    waiting = Job.objects.filter(state=Job.State.RUNNING, chunk_count__gt=0).exclude(chunks__state__in=unfinished)
    for parent_id in waiting.values_list("pk", flat=True):
        if fan_in(parent_id) is not None:
            report.gathered.append(parent_id)


def _verdict(job: Job, situation: Situation, publish_due: datetime, lost_due: datetime) -> str | None:
    """What the job needs, judged from one row; re-judged under its lock before acting."""
    if job.chunk_count:
        return None  # a split batch job waits on its chunks (_gather)
    if job.state == Job.State.RUNNING:
        beat = situation.workers.get(job.worker)
        return "reclaim" if not holds(beat, job) or situation.idle_after_claim(beat, job) else None
    if is_direct_queue(job.queue) and direct_queue_worker(job.queue) not in situation.workers:
        return "reroute"
    if job.published_at is None:
        return "publish" if job.updated_at <= publish_due else None
    if job.published_at <= lost_due and situation.consumer_idle_since_publish(job):
        return "resend"
    return None


def _act(job_id: int, verdict: str, situation: Situation, publish_due, lost_due, report: ReconcileReport) -> None:
    with transaction.atomic():
        job = Job.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or _verdict(job, situation, publish_due, lost_due) != verdict:
            return  # finished, claimed or handled by another reconciler meanwhile
        if verdict == "publish":
            transaction.on_commit(lambda: _send(job_id, report.published, report))
            return
        job.route += 1
        job.published_at = None
        if verdict == "reclaim":
            if holds(situation.workers.get(job.worker), job):
                job.message = f"resumed: attempt {job.attempts} on {job.worker} ended unfinished"
            else:
                job.message = f"resumed: worker {job.worker} stopped during attempt {job.attempts}"
            job.worker = ""
            job.state = Job.State.QUEUED
        if is_direct_queue(job.queue) and direct_queue_worker(job.queue) not in situation.workers:
            job.queue = settings.JOB_FALLBACK_QUEUE
            job.message = job.message if verdict == "reclaim" else "re-sent: its worker stopped"
        job.save(update_fields=["route", "published_at", "message", "worker", "state", "queue", "updated_at"])
        bucket = {"resend": report.resent, "reclaim": report.reclaimed, "reroute": report.rerouted}[verdict]
        transaction.on_commit(lambda: _send(job_id, bucket, report))


def _send(job_id: int, bucket: list[int], report: ReconcileReport) -> None:
    """Publish one job; after a failure the pass stops trying (the broker is down) and the jobs stay
    queued and unpublished, due for the next pass."""
    if report.unsent or not job_publish(job_id, force=True):
        report.unsent.append(job_id)
    else:
        bucket.append(job_id)
