"""Jobs made in one transaction are sent after commit in the order made, with one read and one
write of their rows (jobs_enqueue); a broker failure part way leaves the unsent ones queued and
saying that they wait for the broker, for the reconciler, while the sent ones are marked."""

import pytest
from django.db import transaction

from backend.jobs import publish
from backend.jobs.models import Job
from backend.jobs.publish import WAITING_FOR_BROKER, breaker
from backend.jobs.services import job_create, jobs_enqueue


def _three() -> list[Job]:
    return [job_create(kind="embed", queue="gpu", task_name="inference.compute_embedding") for _ in range(3)]


@pytest.fixture
def sends(monkeypatch):
    """The jobs whose message the (in-memory) broker took, in order; `fail_at` makes the n-th send fail."""
    sent, real = [], publish.app.send_task
    state = {"fail_at": None}

    def send_task(name, args, **options):
        if len(sent) + 1 == state["fail_at"]:
            raise ConnectionError("broker went away")
        sent.append(args[0])
        return real(name, args=args, **options)

    monkeypatch.setattr(publish.app, "send_task", send_task)
    yield sent, state
    breaker.reset()


def test_jobs_committed_together_are_sent_in_order_and_marked(db, sends, django_capture_on_commit_callbacks):
    sent, _ = sends
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        jobs = _three()
        jobs_enqueue(jobs)
        assert sent == []  # nothing before the commit
    assert sent == [job.pk for job in jobs]
    assert all(job.published_at is not None and job.message == "" for job in Job.objects.filter(pk__in=sent))


def test_a_broker_failure_part_way_leaves_the_rest_queued_for_the_reconciler(
    db, sends, django_capture_on_commit_callbacks
):
    sent, state = sends
    state["fail_at"] = 2
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        jobs = _three()
        jobs_enqueue(jobs)
    first, second, third = (Job.objects.get(pk=job.pk) for job in jobs)
    assert sent == [first.pk] and first.published_at is not None
    for job in (second, third):  # the breaker is open after the failure: the third is not even tried
        assert (job.state, job.published_at, job.message) == ("queued", None, WAITING_FOR_BROKER)
