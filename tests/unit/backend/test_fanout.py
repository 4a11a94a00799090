"""Fan-out: a batch job split into chunk jobs is gathered back into one job (its progress, result,
cancel and resume), and the jobs machinery keeps each chunk exactly-once (backend.jobs.fanout)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.jobs.fanout import batch_resume, chunk_items, job_fan_out
from backend.jobs.models import Job, WorkerHeartbeat
from backend.jobs.reconcile import jobs_reconcile
from backend.jobs.services import (
    JobCancelled,
    job_cancel,
    job_checkpoint,
    job_claim,
    job_create,
    job_progress,
    job_run,
)

ITEMS = list(range(101, 111))  # ten items, chunks of four: [4, 4, 2]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run `call` with its after-commit sends executed (the in-memory broker takes them)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def split(job):
    return job_fan_out(job, items=ITEMS, task_name="tests.chunk", chunk_size=4)


def done_items(chunk):
    return {"items": len(chunk_items(chunk)), "total": sum(chunk_items(chunk)), "label": "not a number"}


def batch(commit):
    job = job_create(kind="batch", queue="gpu", task_name="tests.batch")
    commit(job_run, job.pk, split, worker="a@host")
    job.refresh_from_db()
    return job


def chunks_of(job):
    return list(Job.objects.filter(parent=job).order_by("id"))


def test_a_batch_job_splits_once_and_ends_with_its_last_chunk(db, commit):
    job = batch(commit)
    chunks = chunks_of(job)
    assert [chunk_items(c) for c in chunks] == [ITEMS[0:4], ITEMS[4:8], ITEMS[8:10]]
    assert job.state == "running" and job.chunk_count == 3 and job.worker == ""
    assert all(c.state == "queued" and c.published_at is not None for c in chunks)  # sent to the broker
    assert job_run(job.pk, split, worker="b@host") is None  # a redelivered message splits nothing again
    assert Job.objects.filter(parent=job).count() == 3

    commit(job_run, chunks[0].pk, done_items, worker="a@host")
    commit(job_run, chunks[1].pk, done_items, worker="b@host")
    job.refresh_from_db()
    assert job.state == "running" and job.progress == pytest.approx(2 / 3)
    commit(job_run, chunks[2].pk, done_items, worker="a@host")
    job.refresh_from_db()
    assert job.state == "succeeded" and job.progress == 1.0
    assert job.result == {"items": 10, "total": sum(ITEMS), "chunks": 3}  # numbers summed over the chunks


def test_the_batch_progress_is_the_mean_of_its_chunks(db, commit):
    job = batch(commit)
    first, _, _ = chunks_of(job)
    running = job_claim(first.pk, worker="a@host")
    job_progress(running, 0.5)
    job.refresh_from_db()
    assert job.progress == pytest.approx(0.5 / 3)


def test_cancelling_the_batch_stops_its_chunks_and_resuming_runs_only_what_did_not_finish(db, commit):
    job = batch(commit)
    first, second, third = chunks_of(job)
    commit(job_run, first.pk, done_items, worker="a@host")
    running = job_claim(second.pk, worker="b@host")
    job_cancel(Job.objects.get(pk=job.pk))
    with pytest.raises(JobCancelled):  # the running chunk stops at its next checkpoint
        job_checkpoint(running, every=0)
    states = {c.pk: c.state for c in chunks_of(job)}
    assert states == {first.pk: "succeeded", second.pk: "cancelled", third.pk: "cancelled"}

    resumed = commit(batch_resume, Job.objects.get(pk=job.pk))
    assert resumed.state == "running"
    again = {c.pk: (c.state, c.attempts, c.published_at is not None) for c in chunks_of(job)}
    assert again == {first.pk: ("succeeded", 1, True), second.pk: ("queued", 0, True), third.pk: ("queued", 0, True)}
    assert job_run(second.pk, done_items, worker="b@host", route=running.route) is None  # the old message
    commit(job_run, second.pk, done_items, worker="b@host")
    commit(job_run, third.pk, done_items, worker="b@host")
    job.refresh_from_db()
    assert job.state == "succeeded" and job.result["items"] == 10


def test_a_failed_chunk_fails_the_batch_once_the_others_end(db, commit):
    job = batch(commit)
    first, second, third = chunks_of(job)

    def broken(chunk):
        raise ValueError("bad image")

    commit(job_run, first.pk, broken, worker="a@host")
    job.refresh_from_db()
    assert job.state == "running"
    commit(job_run, second.pk, done_items, worker="a@host")
    commit(job_run, third.pk, done_items, worker="a@host")
    job.refresh_from_db()
    assert job.state == "failed" and job.message.startswith("1 of 3 chunks failed")
    assert "bad image" in job.message


def test_the_reconciler_reclaims_a_dead_workers_chunk_leaves_the_batch_alone_and_ends_it(db, settings, commit):
    now = timezone.now()
    job = batch(commit)
    first, second, third = chunks_of(job)
    for chunk in (second, third):
        commit(job_run, chunk.pk, done_items, worker="a@host")
    job_claim(first.pk, worker="gone@host")
    # a@host split the batch, is alive and idle; gone@host stopped beating long ago
    WorkerHeartbeat.objects.create(
        hostname="a@host",
        queues=["gpu"],
        started_at=now - timedelta(hours=1),
        last_seen=now,
        idle_since=now - timedelta(minutes=10),
    )
    WorkerHeartbeat.objects.create(
        hostname="gone@host", queues=["gpu"], started_at=now - timedelta(hours=1), last_seen=now - timedelta(hours=1)
    )
    report = commit(jobs_reconcile, now=now)
    assert report.reclaimed == [first.pk] and not report.gathered
    first.refresh_from_db()
    job.refresh_from_db()
    assert first.state == "queued" and job.state == "running"

    # the chunk ends, but its end never reaches the batch job (say the process died right then)
    Job.objects.filter(pk=first.pk).update(state="succeeded", result={"items": 4, "total": sum(ITEMS[:4])})
    report = commit(jobs_reconcile, now=now)
    job.refresh_from_db()
    assert report.gathered == [job.pk] and job.state == "succeeded" and job.result["total"] == sum(ITEMS)


def test_a_batch_with_nothing_to_split_ends_at_once(db, commit):
    job = job_create(kind="batch", queue="gpu", task_name="tests.batch")
    commit(job_run, job.pk, lambda j: job_fan_out(j, items=[], task_name="tests.chunk") or {"items": 0})
    job.refresh_from_db()
    assert job.state == "succeeded" and job.chunk_count == 0 and job.result == {"items": 0}


def test_retrying_a_cancelled_batch_resumes_it_and_its_chunks_stay_off_the_jobs_list(
    db, commit, client_for, manager, project_factory
):
    project = project_factory(manager)
    job = job_create(kind="auto_annotate", queue="gpu", task_name="tests.batch", project=project)
    commit(job_run, job.pk, split, worker="a@host")
    first, _, _ = chunks_of(job)
    commit(job_run, first.pk, done_items, worker="a@host")
    api = client_for(manager)
    assert api.post(f"/api/jobs/{job.pk}/cancel/").json()["state"] == "cancelled"
    listed = api.get(f"/api/projects/{project.pk}/jobs/").json()["results"]
    assert [row["id"] for row in listed] == [job.pk]  # the chunks are not listed
    with_commit = commit(api.post, f"/api/jobs/{job.pk}/retry/")
    assert with_commit.status_code == 200, with_commit.content
    assert with_commit.json()["state"] == "running"
    states = [c.state for c in chunks_of(job)]
    assert states == ["succeeded", "queued", "queued"]
