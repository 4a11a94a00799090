"""Fan-out: one batch job (an automatic run, an embedding backfill, a project's proposals) split into
chunk jobs that every worker of its queue takes, and gathered back into the batch job.

Each chunk is an ordinary Job: committed queued, published after commit, claimed once, reclaimed by
the reconciler when its worker dies, capped in attempts. So each chunk runs exactly once, and the
work inside a chunk skips the items a previous attempt stored (its own idempotence). The batch job:

- splits once: its chunks and its `chunk_count` are written in one transaction with the attempt
  that split it, so a worker dying mid-split leaves no chunk and the job is split again;
- then stays running with no worker of its own (the reconciler leaves it alone), its progress the
  mean of its chunks' progress;
- ends when its last chunk ends (whoever ends it, or the reconciler if that write was lost):
  succeeded with the chunks' numeric results summed, failed if a chunk failed, cancelled if one was;
- cancelling it cancels its unfinished chunks (they stop at their next checkpoint); resuming it
  queues again the chunks that did not succeed, which skip what they already stored.
"""

import logging
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Case, F, FloatField, Value, When
from django.utils import timezone

from backend.jobs.models import Job
from backend.jobs.params import JobParams
from backend.jobs.publish import job_publish

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChunkParams(JobParams):
    items: list[int] = field(default_factory=list)  # ids of what this chunk works on


@dataclass(frozen=True)
class FannedOut:
    """What a batch job's work returns once split: the job waits for its chunks instead of ending."""

    chunks: int


def chunked(items: list[int], size: int) -> list[list[int]]:
    size = max(1, size)
    return [items[start : start + size] for start in range(0, len(items), size)]


def job_fan_out(job: Job, *, items: list[int], task_name: str, chunk_size: int | None = None) -> FannedOut | None:
    """Split the running batch `job` into chunk jobs of `chunk_size` items (JOB_CHUNK_ITEMS) sent to
    the job's queue, each running `task_name`. Returns None when there is nothing to split (no items:
    the caller ends the job) and FannedOut otherwise, also when this attempt was overtaken."""
    if not items:
        return None
    groups = chunked(list(items), chunk_size or settings.JOB_CHUNK_ITEMS)
    with transaction.atomic():
        owner = Job.objects.select_for_update().filter(pk=job.pk, state=Job.State.RUNNING, attempts=job.attempts)
        locked = owner.first()
        if locked is None or locked.chunk_count:
            return FannedOut(locked.chunk_count if locked else 0)
        chunks = Job.objects.bulk_create(
            Job(
                kind=f"{job.kind}_chunk",
                queue=job.queue,
                task_name=task_name,
                project_id=job.project_id,
                subject_type=job.subject_type,
                subject_id=job.subject_id,
                parent_id=job.pk,
                params=ChunkParams(items=group).to_json(),
                created_by_id=job.created_by_id,
                max_attempts=job.max_attempts,
            )
            for group in groups
        )
        message = f"{len(items)} items in {len(groups)} chunks of up to {len(groups[0])}, on every {job.queue} worker"
        owner.update(chunk_count=len(groups), worker="", message=message, updated_at=timezone.now())
        for chunk in chunks:
            transaction.on_commit(partial(job_publish, chunk.pk))
    return FannedOut(len(groups))


def chunk_items(chunk: Job) -> list[int]:
    return ChunkParams.of(chunk).items


def batch_progress(parent_id: int) -> None:
    """The batch job's progress: the mean of its chunks' (a chunk that ended counts as done)."""
    mean = Job.objects.filter(parent_id=parent_id).aggregate(
        value=Avg(
            Case(
                When(state__in=Job.FINAL_STATES, then=Value(1.0)),
                default=F("progress"),
                output_field=FloatField(),
            )
        )
    )["value"]
    Job.objects.filter(pk=parent_id, state=Job.State.RUNNING).update(progress=mean or 0.0, updated_at=timezone.now())


def fan_in(parent_id: int | None) -> Job | None:
    """End the batch job if all its chunks have ended (idempotent; called after each chunk ends and
    by the reconciler). Returns the batch job when this call ended it."""
    if parent_id is None:
        return None
    with transaction.atomic():
        parent = (
            Job.objects.select_for_update().filter(pk=parent_id, state=Job.State.RUNNING, chunk_count__gt=0).first()
        )
        if parent is None:
            return None
        chunks = list(Job.objects.filter(parent_id=parent_id).values("id", "state", "result", "message"))
        if any(chunk["state"] not in Job.FINAL_STATES for chunk in chunks):
            batch_progress(parent_id)
            return None
        parent.state, parent.message = _outcome(chunks)
        parent.result = {**_summed(chunk["result"] for chunk in chunks), "chunks": len(chunks)}
        if parent.state == Job.State.SUCCEEDED:
            parent.progress = 1.0
        parent.finished_at = timezone.now()
        parent.save(update_fields=["state", "message", "result", "progress", "finished_at", "updated_at"])
    return parent


def _outcome(chunks: list[dict]) -> tuple[str, str]:
    failed = [chunk for chunk in chunks if chunk["state"] == Job.State.FAILED]
    if failed:
        first = failed[0]
        return (
            Job.State.FAILED,
            f"{len(failed)} of {len(chunks)} chunks failed; chunk {first['id']}: {first['message']}",
        )
    if any(chunk["state"] == Job.State.CANCELLED for chunk in chunks):
        return Job.State.CANCELLED, "cancelled"
    return Job.State.SUCCEEDED, ""


def _summed(results) -> dict:
    total: dict = {}
    for result in results:
        for key, value in (result or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
    return total


def batch_cancel(parent: Job) -> None:
    """Cancel the unfinished chunks of a cancelled batch job."""
    now = timezone.now()
    Job.objects.filter(parent=parent, state__in=[Job.State.QUEUED, Job.State.RUNNING]).update(
        state=Job.State.CANCELLED, finished_at=now, updated_at=now, message="cancelled with its batch"
    )


def batch_resume(parent: Job) -> Job:
    """Run a cancelled or failed batch job again: its chunks that did not succeed are queued again
    on a new route with fresh attempts (each skips what it already stored); the others stay done."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().filter(pk=parent.pk, chunk_count__gt=0).first()
        if locked is None or locked.state not in (Job.State.CANCELLED, Job.State.FAILED):
            parent.refresh_from_db()
            return parent
        again = list(Job.objects.filter(parent=locked).exclude(state=Job.State.SUCCEEDED).values_list("pk", flat=True))
        Job.objects.filter(pk__in=again).update(
            state=Job.State.QUEUED,
            route=F("route") + 1,
            attempts=0,
            worker="",
            published_at=None,
            finished_at=None,
            message="resumed",
            updated_at=timezone.now(),
        )
        Job.objects.filter(pk=locked.pk).update(
            state=Job.State.RUNNING,
            finished_at=None,
            message=f"resumed: {len(again)} chunks again",
            updated_at=timezone.now(),
        )
        for pk in again:
            transaction.on_commit(partial(job_publish, pk))
        if not again:  # every chunk had succeeded: end it now
            transaction.on_commit(partial(fan_in, locked.pk))
    parent.refresh_from_db()
    return parent
