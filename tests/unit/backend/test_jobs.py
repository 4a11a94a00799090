"""The Job state machine: transitions, failure messages, cancellation, idempotent redelivery and
the attempt cap that makes late acks safe."""

import pytest

from backend.jobs.models import Job
from backend.jobs.services import JobCancelled, JobFailed, job_cancel, job_claim, job_create, job_progress, job_run


@pytest.fixture
def job(db):
    return job_create(kind="test", queue="cpu", task_name="tests.noop")


def test_a_job_runs_to_success_with_progress_and_result(job):
    seen = []

    def work(running):
        seen.append(Job.objects.get(pk=running.pk).state)
        job_progress(running, 0.5, "halfway")
        seen.append(Job.objects.get(pk=running.pk).progress)
        return {"frames": 3}

    finished = job_run(job.pk, work, worker="w1")
    assert seen == ["running", 0.5]
    assert finished.state == "succeeded" and finished.progress == 1.0 and finished.result == {"frames": 3}
    assert finished.attempts == 1 and finished.worker == "w1" and finished.finished_at is not None


def test_a_clear_failure_keeps_its_message(job):
    def work(running):
        raise JobFailed("the video has no frames")

    finished = job_run(job.pk, work)
    assert finished.state == "failed" and finished.message == "the video has no frames"


def test_an_unexpected_error_fails_the_job_with_its_type(job):
    finished = job_run(job.pk, lambda running: 1 / 0)
    assert finished.state == "failed" and finished.message.startswith("ZeroDivisionError")


def test_cancelling_a_running_job_stops_it_and_it_stays_cancelled(job):
    def work(running):
        job_cancel(Job.objects.get(pk=running.pk))  # somebody presses cancel meanwhile
        job_progress(running, 0.2)  # the next progress report notices
        raise AssertionError("work went on after cancel")

    finished = job_run(job.pk, work)
    assert finished.state == "cancelled"


def test_a_redelivered_message_of_a_finished_job_does_nothing(job):
    calls = []
    job_run(job.pk, lambda running: calls.append(1) or {})
    again = job_run(job.pk, lambda running: calls.append(2) or {})
    assert again is None and calls == [1]
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_attempts_are_capped(job):
    """A task that kills its worker is redelivered (late acks); each delivery counts an attempt,
    and past the cap the job fails instead of looping forever."""
    Job.objects.filter(pk=job.pk).update(state="running", attempts=job.max_attempts)
    assert job_run(job.pk, lambda running: {}) is None
    failed = Job.objects.get(pk=job.pk)
    assert failed.state == "failed" and "gave up after 3 attempts" in failed.message


def test_job_api_shows_state_and_progress_only_to_who_may_see_it(job, make_user, client_for, project_factory):
    owner, stranger = make_user(), make_user()
    project = project_factory(owner)
    Job.objects.filter(pk=job.pk).update(project=project, progress=0.25, state="running")
    body = client_for(owner).get(f"/api/jobs/{job.pk}/").json()
    assert body["state"] == "running" and body["progress"] == 0.25
    assert client_for(stranger).get(f"/api/jobs/{job.pk}/").status_code == 404
    cancelled = client_for(owner).post(f"/api/jobs/{job.pk}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"


def test_a_job_running_on_a_live_worker_is_not_run_twice(job):
    """An early redelivery (broker visibility timeout shorter than the job) must not start a second
    copy while the first worker is alive; once that worker stops beating, the delivery takes over."""
    from django.utils import timezone

    from backend.jobs.models import WorkerHeartbeat
    from backend.jobs.services import JobBusy

    started = timezone.now()
    Job.objects.filter(pk=job.pk).update(state="running", attempts=1, worker="first@host", claimed_at=started)
    beat = WorkerHeartbeat.objects.create(hostname="first@host", started_at=started, last_seen=timezone.now())
    with pytest.raises(JobBusy):
        job_run(job.pk, lambda running: {}, worker="second@host")
    assert Job.objects.get(pk=job.pk).attempts == 1
    WorkerHeartbeat.objects.filter(pk=beat.pk).update(last_seen=timezone.now() - timezone.timedelta(hours=1))
    finished = job_run(job.pk, lambda running: {"took": "over"}, worker="second@host")
    assert finished.state == "succeeded" and finished.attempts == 2 and finished.worker == "second@host"


def test_a_pass_reports_its_first_batch_at_once_then_every_half_second_and_hears_a_cancel_at_once(job, monkeypatch):
    from backend.inference import video_runner

    clock = [100.0]
    monkeypatch.setattr(video_runner.time, "monotonic", lambda: clock[0])
    running = job_claim(job.pk, worker="w1")
    report = video_runner.PassReport(running, total=40, before=10)  # 10 frames done by earlier passes
    stored = lambda: Job.objects.values_list("progress", "message").get(pk=job.pk)  # noqa: E731

    report(2)
    assert stored() == (12 / 40, "12 of 40 frames"), "the first batch shows at once"
    clock[0] += 0.4
    report(5)
    assert stored() == (12 / 40, "12 of 40 frames"), "within half a second: no write"
    clock[0] += 0.1
    report(6)
    assert stored() == (16 / 40, "16 of 40 frames")

    job_cancel(Job.objects.get(pk=job.pk))  # right after a report: the next batch hears it
    clock[0] += 0.05
    with pytest.raises(JobCancelled):
        report(7)
