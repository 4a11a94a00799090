"""The reconciler: a job committed as queued runs whatever happened to its message or its worker.
Time is passed in (`now`), so each rule is checked at its edge without waiting."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.jobs.models import Job, WorkerHeartbeat
from backend.jobs.reconcile import jobs_reconcile
from backend.jobs.services import JobCancelled, job_checkpoint, job_claim, job_create, job_progress, job_run


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run the reconciler with its after-commit sends executed (in-memory broker)."""

    def run(at):
        with django_capture_on_commit_callbacks(execute=True):
            return jobs_reconcile(now=at)

    return run


def beat(hostname, *, started, seen, queues=("gpu", "cpu"), idle_since=None):
    return WorkerHeartbeat.objects.update_or_create(
        hostname=hostname,
        defaults={"queues": list(queues), "started_at": started, "last_seen": seen, "idle_since": idle_since},
    )[0]


def make_job(queue="gpu", **fields):
    job = job_create(kind="embed", queue=queue, task_name="inference.compute_embedding")
    if fields:
        Job.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


def test_a_queued_job_never_published_is_sent_after_the_grace_period(db, settings, capture, now):
    job = make_job()
    assert not capture(now)  # too young: the request that made it may still be publishing
    later = job.updated_at + timedelta(seconds=settings.JOB_PUBLISH_GRACE_SECONDS + 1)
    report = capture(later)
    job.refresh_from_db()
    assert report.published == [job.pk] and job.published_at is not None and job.route == 0
    assert not capture(later)  # published now: nothing more to do


def test_a_running_job_of_a_stopped_worker_is_queued_again_and_the_old_attempt_is_fenced(db, settings, capture, now):
    job = make_job()
    running = job_claim(job.pk, worker="gone@host")
    beat("gone@host", started=now - timedelta(minutes=5), seen=now - timedelta(minutes=5))
    report = capture(now)
    job.refresh_from_db()
    assert report.reclaimed == [job.pk]
    assert job.state == "queued" and job.route == 1 and job.worker == "" and "gone@host stopped" in job.message
    # the message of the first route, redelivered late, does nothing; the new one runs the job once
    assert job_run(job.pk, lambda j: {"ran": 0}, worker="w2", route=0) is None
    second = job_claim(job.pk, worker="w2@host", route=1)
    assert second.attempts == 2
    # should the first worker come back to life, its writes are refused and it stops
    with pytest.raises(JobCancelled):
        job_progress(running, 0.5)


def test_a_worker_restarted_under_the_same_name_does_not_hold_its_old_jobs(db, capture, now):
    job = make_job()
    claimed = job_claim(job.pk, worker="embedded@host")
    beat("embedded@host", started=claimed.claimed_at + timedelta(seconds=1), seen=now)
    assert capture(now).reclaimed == [job.pk]


def test_a_job_running_on_a_live_worker_is_left_alone(db, capture, now):
    job = make_job()
    claimed = job_claim(job.pk, worker="busy@host")
    beat("busy@host", started=claimed.claimed_at - timedelta(seconds=1), seen=now)
    assert not capture(now)
    assert Job.objects.get(pk=job.pk).state == "running"


def test_jobs_pinned_to_a_stopped_workers_queue_move_to_the_shared_queue(db, capture, now):
    pinned = make_job(queue="gpu-1@host.dq2", published_at=now)
    alive = make_job(queue="gpu-2@host.dq2", published_at=now)
    beat("gpu-2@host", started=now - timedelta(minutes=1), seen=now, queues=["gpu", "gpu-2@host.dq2"])
    report = capture(now)
    assert report.rerouted == [pinned.pk]
    pinned.refresh_from_db()
    assert pinned.queue == "gpu" and pinned.route == 1 and pinned.published_at is not None
    assert Job.objects.get(pk=alive.pk).queue == "gpu-2@host.dq2"
    assert job_run(pinned.pk, lambda j: {}, route=0) is None and job_run(pinned.pk, lambda j: {}, route=1)


def test_a_message_an_idle_worker_never_took_is_sent_again(db, settings, capture, now):
    published = now - timedelta(seconds=settings.JOB_LOST_GRACE_SECONDS + 1)
    job = make_job(published_at=published)
    margin = timedelta(seconds=settings.JOB_LOST_MARGIN_SECONDS)
    # a worker of another queue, or a busy one, says nothing about the message
    beat("cpu@host", started=published - margin, seen=now, queues=["cpu"], idle_since=published - margin)
    beat("gpu@host", started=published - margin, seen=now, queues=["gpu"], idle_since=None)
    assert not capture(now)
    # idle, but not yet for the margin after the publish: the message may be on its way
    beat("gpu@host", started=published - margin, seen=published + margin / 2, queues=["gpu"], idle_since=published)
    assert not capture(now)
    # idle since before the publish, and seen well after it: the message is gone
    beat("gpu@host", started=published - margin, seen=now, queues=["gpu"], idle_since=published - margin)
    report = capture(now)
    job.refresh_from_db()
    assert report.resent == [job.pk] and job.route == 1 and job.published_at > published


def test_a_cancel_stops_long_work_at_the_next_checkpoint(db):
    job = make_job()
    running = job_claim(job.pk, worker="w@host")
    job_checkpoint(running, every=0)
    Job.objects.filter(pk=job.pk).update(state="cancelled")
    with pytest.raises(JobCancelled):
        job_checkpoint(running, every=0)


def test_a_running_job_whose_worker_went_idle_is_reclaimed(db, settings, capture):
    """The attempt ended but its end was never written (the database was out at that moment)."""
    job = make_job()
    claimed = job_claim(job.pk, worker="w@host")
    margin = timedelta(seconds=settings.JOB_LOST_MARGIN_SECONDS)
    now = claimed.claimed_at + 3 * margin
    started = claimed.claimed_at - timedelta(minutes=1)
    beat("w@host", started=started, seen=now, idle_since=claimed.claimed_at - timedelta(seconds=1))
    assert not capture(now)  # idle before it claimed the job: that says nothing
    beat("w@host", started=started, seen=now, idle_since=now - margin / 2)
    assert not capture(now)  # not idle for long enough yet
    beat("w@host", started=started, seen=now, idle_since=now - margin)
    report = capture(now)
    assert report.reclaimed == [job.pk] and "ended unfinished" in Job.objects.get(pk=job.pk).message


def test_an_outage_inside_a_job_puts_it_back_in_the_queue_without_counting_the_attempt(db):
    from redis.exceptions import ConnectionError as RedisConnectionError

    job = make_job()

    def work(running):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    job_run(job.pk, work, worker="w@host")
    job.refresh_from_db()
    assert job.state == "queued" and job.attempts == 0 and job.route == 1 and job.published_at is None
    assert job.message.startswith("waiting to run again: The cache and message broker (Redis) cannot be reached")


def test_beat_sends_the_reconciler_every_period(settings):
    from backend.jobs.celery_app import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["jobs-reconcile"]
    assert entry["task"] in app.tasks and entry["schedule"] == settings.JOB_RECONCILE_SECONDS
