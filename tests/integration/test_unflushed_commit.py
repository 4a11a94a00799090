"""backend.core.commits.unflushed_commit on PostgreSQL: the transaction it opens commits without
waiting for the WAL flush, the setting ends with it (the connection's next transactions, a pooled
connection's next request, wait again), a transaction already open is left as it is, and what it
wrote is committed for every other connection."""

import psycopg
import pytest
from django.db import connection, transaction

from backend.core.commits import unflushed_commit
from backend.jobs.models import Job
from backend.jobs.services import job_claim, job_create

pytestmark = pytest.mark.integration


def _setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _other_connection_sees(job_id: int) -> str | None:
    """The job's state read over a connection of its own (what another process sees)."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname=settings["NAME"]
    ) as other:
        row = other.execute("SELECT state FROM jobs_job WHERE id = %s", [job_id]).fetchone()
        return row[0] if row else None


def test_the_setting_holds_for_that_transaction_only(transactional_db):
    assert connection.vendor == "postgresql"
    assert _setting() == "on"
    with unflushed_commit():
        assert _setting() == "off"
        job = job_create(kind="probe", queue="cpu", task_name="")
    assert _setting() == "on"
    assert _other_connection_sees(job.pk) == Job.State.QUEUED


def test_an_open_transaction_keeps_its_own_setting(transactional_db):
    with transaction.atomic():
        with unflushed_commit():
            assert _setting() == "on"
            job_create(kind="probe", queue="cpu", task_name="")
        assert _setting() == "on"


def test_a_rolled_back_block_writes_nothing_and_leaves_the_setting(transactional_db):
    with pytest.raises(RuntimeError), unflushed_commit():
        job = job_create(kind="probe", queue="cpu", task_name="")
        raise RuntimeError("stop")
    assert _setting() == "on"
    assert _other_connection_sees(job.pk) is None


def test_a_claim_is_seen_by_others_at_once_and_the_connection_waits_again(transactional_db):
    job = job_create(kind="probe", queue="cpu", task_name="")
    claimed = job_claim(job.pk, worker="w1")
    assert claimed is not None and claimed.state == Job.State.RUNNING
    assert _other_connection_sees(job.pk) == Job.State.RUNNING
    assert _setting() == "on"
