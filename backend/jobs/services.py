"""Writes on Jobs: create and enqueue on commit, the running -> final transitions, progress, cancel."""

import logging
import time
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from backend.core.commits import unflushed_commit
from backend.core.compiled import CompiledQuery
from backend.core.errors import InvalidInput
from backend.core.outages import outage_of
from backend.jobs.events import publish
from backend.jobs.failpoints import failpoint
from backend.jobs.fanout import FannedOut, batch_cancel, batch_progress, batch_resume, fan_in
from backend.jobs.models import Job
from backend.jobs.params import JobParams
from backend.jobs.publish import job_publish, jobs_publish
from backend.jobs.selectors import holds, live_heartbeats

log = logging.getLogger(__name__)


class JobCancelled(Exception):
    """Raised inside a running job when somebody cancelled it."""


class JobBusy(Exception):
    """The job is running on another live worker: a message redelivered early (the broker's
    visibility timeout is shorter than the job) must wait, not run the job twice."""


class JobFailed(Exception):
    """A job's own clear failure: its message is shown to the user as is; never retried."""


def job_create(
    *,
    kind: str,
    queue: str,
    task_name: str,
    project=None,
    subject=None,
    params: JobParams | None = None,
    created_by=None,
) -> Job:
    """A queued Job row for the task named `task_name` (send it with job_enqueue)."""
    return Job.objects.create(
        kind=kind,
        queue=queue,
        task_name=task_name,
        project=project,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        params=params.to_json() if params is not None else {},
        created_by=created_by if created_by is not None and created_by.is_authenticated else None,
        max_attempts=settings.JOB_MAX_ATTEMPTS,
    )


def job_enqueue(job: Job) -> None:
    """Send the job's task once the surrounding transaction commits (the worker must see the rows).
    The task is named, not imported: services never depend on the task modules that call them.
    Sending never fails the request: a job whose message did not go out stays queued, and the
    reconciler sends it."""
    transaction.on_commit(partial(job_publish, job.pk))


def jobs_enqueue(jobs: list[Job]) -> None:
    """job_enqueue for jobs made in one transaction: their messages go in that order after commit,
    with one read and one write of their rows for all of them."""
    transaction.on_commit(partial(jobs_publish, [job.pk for job in jobs]))


# Read at the start of every job, under its row lock, and at its end: compiled once.
_JOB = CompiledQuery("job", Job, lambda shape, *, job_id: Job.objects.filter(pk=job_id), {"job_id": int})
_JOB_LOCKED = CompiledQuery(
    "job under its row lock",
    Job,
    lambda shape, *, job_id: Job.objects.select_for_update().filter(pk=job_id),
    {"job_id": int},
)


def job_claim(job_id: int, worker: str = "", route: int | None = None) -> Job | None:
    """Move a job to running and count the attempt. Returns None when there is nothing to do:
    the job is gone or already final (idempotent redelivery), or its attempts are used up, in
    which case it is marked failed (a task that kills its worker cannot loop forever).

    The claim's commit does not wait for the disk (backend.core.commits): the job's end, committed
    normally, makes it durable; a claim lost in a database crash leaves the job queued, to run again."""
    with unflushed_commit():
        job = _JOB_LOCKED.first(job_id=job_id)
        if job is None or job.is_final:
            return None
        if route is not None and route != job.route:  # a message from before the job was re-sent
            return None
        if job.chunk_count:  # a batch job already split: its chunks do the work (backend.jobs.fanout)
            return None
        if job.state == Job.State.RUNNING and job.worker and job.worker != worker and _held_elsewhere(job):
            raise JobBusy(f"job {job.pk} is running on {job.worker}")
        if job.attempts >= job.max_attempts:
            job.state = Job.State.FAILED
            job.message = f"gave up after {job.attempts} attempts (the worker stopped during each one)"
            job.finished_at = timezone.now()
            job.save(update_fields=["state", "message", "finished_at", "updated_at"])
            transaction.on_commit(partial(fan_in, job.parent_id))
            return None
        job.state = Job.State.RUNNING
        job.attempts += 1  # exact: the row is locked (the instance is then what was written, no reread)
        job.started_at = job.started_at or timezone.now()
        job.worker = worker[:255]
        job.claimed_at = timezone.now()
        job.save(update_fields=["state", "attempts", "started_at", "worker", "claimed_at", "updated_at"])
    job_announce(job)
    return job


def job_channel(job: Job) -> str | None:
    """The events channel of the job's subject (a video session's page listens there), if any."""
    return f"{job.subject_type}:{job.subject_id}" if job.subject_type and job.subject_id else None


def job_announce(job: Job, **changes) -> None:
    """Push the job's state (with `changes` applied) to the pages following its subject."""
    channel = job_channel(job)
    if channel is None:
        return
    fields = {"id": job.pk, "kind": job.kind, "state": job.state, "progress": job.progress, "message": job.message}
    fields.update(changes)
    if "result" in changes or job.result:
        fields["result"] = changes.get("result", job.result)
    publish(channel, {"type": "job", "job": fields})


def _held_elsewhere(job: Job) -> bool:
    return holds(live_heartbeats().get(job.worker), job)


def _this_attempt(job: Job):
    """The job's row while this attempt still owns it: running, and not taken over by another
    attempt (the reconciler re-sends the job of a worker that stopped beating; should that worker
    come back, its writes to the job are refused)."""
    return Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, attempts=job.attempts)


def job_progress(job: Job, progress: float, message: str | None = None) -> None:
    """Record progress (0..1); raises JobCancelled when the job was cancelled (or taken over)
    meanwhile. Every report is also where a test may stop the worker (backend.jobs.failpoints)."""
    fields: dict[str, Any] = {"progress": max(0.0, min(1.0, float(progress))), "updated_at": timezone.now()}
    if message is not None:
        fields["message"] = message
    updated = _this_attempt(job).update(**fields)
    job.progress = fields["progress"]
    if not updated:
        raise JobCancelled()
    if job.parent_id is not None:
        batch_progress(job.parent_id)
    job_announce(job, progress=fields["progress"], message=fields.get("message", job.message))
    failpoint(job)


def job_progress_reporter(job: Job, *, scale: float = 1.0, every: float = 0.5) -> Callable[[float], None]:
    """progress(fraction) for work that reports per item: the job's progress (scaled by `scale`) is
    written, and a cancel noticed, at most every `every` seconds and at the end."""
    last = [float("-inf")]

    def report(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= every or fraction >= 1.0:
            last[0] = now
            job_progress(job, scale * fraction)

    return report


def job_checkpoint(job: Job, every: float = 0.5) -> None:
    """Inside long work (between batches, frames, steps, items): raise JobCancelled within about
    `every` seconds of a cancel. Asks the database at most once per `every` seconds."""
    now = time.monotonic()
    if now - getattr(job, "_checked_at", 0.0) < every:
        return
    job._checked_at = now  # type: ignore[attr-defined]
    if _ATTEMPT_RUNNING.first(job_id=job.pk, attempts=job.attempts) is None:
        raise JobCancelled()


# Asked between the batches of long work (a propagation's, up to 20 times a second): compiled once.
_ATTEMPT_RUNNING = CompiledQuery(
    "a job's attempt still running",
    Job,
    lambda shape, *, job_id, attempts: Job.objects.filter(pk=job_id, state=Job.State.RUNNING, attempts=attempts).only(
        "id"
    ),
    {"job_id": int, "attempts": int},
)


def job_finish(job: Job, *, state: str, message: str = "", result: dict | None = None) -> None:
    fields: dict[str, Any] = {
        "state": state,
        "message": message,
        "finished_at": timezone.now(),
        "updated_at": timezone.now(),
    }
    if state == Job.State.SUCCEEDED:
        fields["progress"] = 1.0
    if result is not None:
        fields["result"] = result
    # Never overwrite a cancellation that happened while the job ran, nor another attempt's result.
    if _this_attempt(job).update(**fields):
        fan_in(job.parent_id)  # the batch job ends with its last chunk
        job_announce(
            job, state=state, message=message, progress=fields.get("progress", job.progress), result=result or {}
        )


def job_cancel(job: Job) -> Job:
    Job.objects.filter(pk=job.pk, state__in=[Job.State.QUEUED, Job.State.RUNNING]).update(
        state=Job.State.CANCELLED, finished_at=timezone.now(), updated_at=timezone.now(), message="cancelled"
    )
    job.refresh_from_db()
    if job.chunk_count:
        batch_cancel(job)
    fan_in(job.parent_id)
    job_announce(job)
    return job


# Kinds whose work is a pure function of the job's row and its subject, so running the same row again
# redoes it: frames, embeddings, proposals, automatic runs (which resume after finished images), exports.
# Training rounds and video operations have their own records: start a new round or prompt again.
RETRYABLE_KINDS = frozenset(
    {"extract_frames", "embed", "propose_masks", "auto_annotate", "propose_masks_batch", "embed_backfill", "export"}
)


def job_retryable(job: Job) -> bool:
    return job.kind in RETRYABLE_KINDS and job.state in (Job.State.FAILED, Job.State.CANCELLED)


def job_retry(job: Job) -> Job:
    """Queue a failed or cancelled job again, as a fresh start of the same row (what points at it
    keeps pointing at it): attempts from zero, a new route so no message of the old run can start
    it, and a new message sent on commit.

    A batch job split into chunks keeps its row and its chunks that succeeded; the others are
    queued again (backend.jobs.fanout.batch_resume), each skipping what it already stored.

    Raises:
        InvalidInput: the job is not failed or cancelled, or its kind cannot be run again.
    """
    if job.kind not in RETRYABLE_KINDS:
        raise InvalidInput(f"a {job.kind.replace('_', ' ')} job cannot be run again; start a new one")
    if job.chunk_count and job.state in (Job.State.FAILED, Job.State.CANCELLED):
        return batch_resume(job)  # a split batch job: only its chunks that did not succeed run again
    with transaction.atomic():
        retried = Job.objects.filter(pk=job.pk, state__in=[Job.State.FAILED, Job.State.CANCELLED]).update(
            state=Job.State.QUEUED,
            route=F("route") + 1,
            attempts=0,
            progress=0.0,
            message="",
            result={},
            worker="",
            published_at=None,
            claimed_at=None,
            started_at=None,
            finished_at=None,
            updated_at=timezone.now(),
        )
        if not retried:
            raise InvalidInput(f"only a failed or cancelled job can be run again; this one is {job.state}")
        job_enqueue(job)
    job.refresh_from_db()
    job_announce(job)
    return job


def job_run(job_id: int, work: Callable[[Job], dict | None], worker: str = "", route: int | None = None) -> Job | None:
    """Run `work(job)` under the state machine. `work` reports progress with job_progress and
    returns a result dict. JobFailed and any other exception fail the job with a message, except a
    dependency outage (storage, cache, broker, database), which puts the job back in the queue."""
    job = job_claim(job_id, worker, route)
    if job is None:
        return None
    try:
        result = work(job)
        if isinstance(result, FannedOut):  # split into chunks: the job ends with its last chunk
            job.refresh_from_db()
            return job
    except JobCancelled:
        log.info("job %s cancelled", job_id)
    except JobFailed as exc:
        job_finish(job, state=Job.State.FAILED, message=str(exc))
    except Exception as exc:
        outage = outage_of(exc)
        if outage is not None:
            log.warning("job %s interrupted by an outage: %s", job_id, exc)
            job_release(job, f"waiting to run again: {outage}")
            return job
        log.exception("job %s failed", job_id)
        job_finish(job, state=Job.State.FAILED, message=f"{type(exc).__name__}: {exc}"[:2000])
        log.debug(traceback.format_exc())
    else:
        job_finish(job, state=Job.State.SUCCEEDED, result=result or {})
    return _job_as_stored(job)


def _job_as_stored(job: Job) -> Job:
    """The job's row as it is now (job.refresh_from_db(), through a compiled query: read after every job)."""
    stored = _JOB.first(job_id=job.pk)
    if stored is None:
        raise Job.DoesNotExist(f"job {job.pk} was deleted")
    return stored


def job_release(job: Job, message: str) -> None:
    """Give the job back to the queue after an outage interrupted it: the attempt does not count
    (the job did nothing wrong) and the reconciler sends it again after its grace period. If the
    database itself is out, nothing can be written: the reconciler then finds the job running on a
    worker that is idle, and reclaims it."""
    try:
        _this_attempt(job).update(
            state=Job.State.QUEUED,
            route=F("route") + 1,
            worker="",
            published_at=None,
            attempts=F("attempts") - 1,
            message=message[:2000],
            updated_at=timezone.now(),
        )
    except Exception:
        log.exception("job %s could not be released; the reconciler will reclaim it", job.pk)
