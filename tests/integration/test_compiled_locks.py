"""The row locks read through compiled queries are real locks on PostgreSQL: while a transaction
holds a video session (operations are numbered under it) or a job (claimed under it), another
connection cannot lock that row, and can once the transaction ends."""

import psycopg
import pytest
from django.db import connection, transaction

from backend.inference.models import VideoSession
from backend.inference.selectors import session_locked
from backend.jobs.models import Job
from backend.jobs.services import job_claim, job_create

pytestmark = pytest.mark.integration


def _other_can_lock(table: str, row_id: int) -> bool:
    """Whether a connection of its own can lock the row at once (FOR UPDATE NOWAIT)."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname=settings["NAME"]
    ) as other:
        try:
            other.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [row_id])
            return True
        except psycopg.errors.LockNotAvailable:
            return False


def test_a_session_read_under_its_lock_is_locked_until_the_transaction_ends(video_with_two_objects):
    session = VideoSession.objects.create(video=video_with_two_objects)
    table = VideoSession._meta.db_table
    for _ in range(2):  # the second call runs the SQL compiled by the first
        with transaction.atomic():
            assert session_locked(session.pk).pk == session.pk
            assert not _other_can_lock(table, session.pk)
        assert _other_can_lock(table, session.pk)
    with pytest.raises(VideoSession.DoesNotExist), transaction.atomic():
        session_locked(session.pk + 10**9)


def test_a_job_is_locked_while_it_is_claimed(transactional_db, monkeypatch):
    from backend.jobs import services

    seen = []
    announce = services.job_announce
    jobs = [job_create(kind="probe", queue="cpu", task_name="") for _ in range(2)]

    def inside_the_claim(job, **changes):  # runs after the claim's transaction: the row is free again
        seen.append(_other_can_lock(Job._meta.db_table, job.pk))
        announce(job, **changes)

    monkeypatch.setattr(services, "job_announce", inside_the_claim)
    original_first = services._JOB_LOCKED.first

    def locked_first(*args, **kwargs):
        job = original_first(*args, **kwargs)
        seen.append(_other_can_lock(Job._meta.db_table, job.pk))  # inside the claim's transaction
        return job

    monkeypatch.setattr(services._JOB_LOCKED, "first", locked_first)
    for job in jobs:
        assert job_claim(job.pk, worker="w").state == Job.State.RUNNING
    assert seen == [False, True, False, True]
