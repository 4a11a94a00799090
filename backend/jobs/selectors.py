"""Reads on Jobs, scoped to what the user may see."""

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from backend.core.compiled import CompiledQuery
from backend.jobs.models import Job, WorkerHeartbeat
from backend.projects.policy import scope


def job_list(*, user) -> QuerySet[Job]:
    """Jobs of projects the user can view, plus the jobs the user started."""
    if user.is_staff:
        return Job.objects.all()
    visible_projects = scope(user, "project", "view").values("pk")
    return Job.objects.filter(Q(project__in=visible_projects) | Q(created_by=user))


def live_workers(stale_seconds: int, now=None) -> QuerySet[WorkerHeartbeat]:
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(last_seen__gte=now - timezone.timedelta(seconds=stale_seconds))


def worker_is_live(hostname: str, stale_seconds: int, now=None) -> bool:
    """Whether the worker `hostname` beat within the last `stale_seconds` (live_workers, for one)."""
    since = (now or timezone.now()) - timezone.timedelta(seconds=stale_seconds)
    return _LIVE_WORKER.first(hostname=hostname, since=since) is not None


# Asked by every video operation a page sends (is the session's worker still there?): compiled once.
_LIVE_WORKER = CompiledQuery(
    "a worker's recent heartbeat",
    WorkerHeartbeat,
    lambda shape, *, hostname, since: (
        WorkerHeartbeat.objects.filter(hostname=hostname, last_seen__gte=since)
        .order_by()
        .values_list("pk", flat=True)[:1]
    ),
    {"hostname": str, "since": dt.datetime},
)


def live_heartbeats(now=None) -> dict[str, WorkerHeartbeat]:
    """The workers that beat within WORKER_STALE_SECONDS, by hostname."""
    return {beat.hostname: beat for beat in live_workers(settings.WORKER_STALE_SECONDS, now)}


def holds(heartbeat: WorkerHeartbeat | None, job: Job) -> bool:
    """Whether the worker behind `heartbeat` is the one running `job`: it beats, and it is the same
    incarnation that claimed the job (a worker restarted under the same name is not)."""
    if heartbeat is None:
        return False
    return job.claimed_at is None or heartbeat.started_at <= job.claimed_at


def next_session_job(job: Job, kinds: list[str]) -> Job | None:
    """The oldest job of `kinds` still queued for `job`'s subject on `job`'s queue (a video session's
    next operation: they are created in the order they are made, under the session's lock)."""
    if not job.subject_type or job.subject_id is None:
        return None
    return _NEXT_QUEUED.first(
        tuple(sorted(kinds)), subject_type=job.subject_type, subject_id=job.subject_id, queue=job.queue
    )


# Asked after every video operation a worker runs: compiled once per list of kinds.
_NEXT_QUEUED = CompiledQuery(
    "a subject's oldest queued job",
    Job,
    lambda kinds, *, subject_type, subject_id, queue: (
        Job.objects.filter(
            subject_type=subject_type, subject_id=subject_id, queue=queue, kind__in=kinds, state=Job.State.QUEUED
        )
        .order_by("id")
        .only("id", "kind")[:1]
    ),
    {"subject_type": str, "subject_id": int, "queue": str},
    shapes=(("one kind", "another kind"),),
)
