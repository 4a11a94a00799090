"""backend.core.commits.unflushed_commit on PostgreSQL: the transaction it opens commits without
waiting for the WAL flush, the setting ends with it (the connection's next transactions, a pooled
connection's next request, wait again), a transaction already open is left as it is, and what it
wrote is committed for every other connection."""

import numpy as np
import psycopg
import pytest
from django.db import connection, transaction

from backend.core.commits import unflushed_commit, unflushed_commits_on_this_connection
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


def test_a_connection_given_unflushed_commits_waits_again_after_the_block(transactional_db):
    """What a pool gets back waits for the disk; a connection the reset cannot reach is closed."""
    with unflushed_commits_on_this_connection():
        assert _setting() == "off"
        job = job_create(kind="probe", queue="cpu", task_name="")  # autocommit: committed at once
        assert _other_connection_sees(job.pk) == Job.State.QUEUED
    assert _setting() == "on"

    with unflushed_commits_on_this_connection():
        backend = connection.connection.info.backend_pid
        settings = connection.settings_dict
        with psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"],
            user=settings["USER"],
            dbname=settings["NAME"],
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [backend])
    assert connection.connection.closed
    connection.close()
    assert _setting() == "on"  # a new connection


def test_a_propagation_writer_commits_each_batch_at_once_without_waiting_for_the_disk(video_with_two_objects):
    """The frame writer's thread owns its connection: every batch is committed (another connection
    reads it as soon as the pages hear of it), its commits skip the WAL wait, and the caller's
    connection still waits for the disk."""
    from backend.annotations.models import MaskletFrame
    from backend.inference.frame_writer import FrameWriter

    video = video_with_two_objects
    heard = []

    def stored(video_id, rows):  # on the writer's thread, right after the batch's statement
        settings = connection.settings_dict
        with psycopg.connect(
            host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname=settings["NAME"]
        ) as other:
            seen = other.execute(
                "SELECT count(*) FROM annotations_maskletframe f JOIN annotations_masklet m ON m.id = f.masklet_id"
                " WHERE m.video_id = %s",
                [video_id],
            ).fetchone()[0]
        heard.append((video_id, sorted((r.object_id, r.frame_index) for r in rows), seen, _setting()))

    writer = FrameWriter(video, {1, 2}, stored=stored)
    masks = np.zeros((24, 32), bool)
    masks[5:9, 3:20] = True
    for frame in range(3):
        writer.add(frame, {1: masks, 2: ~masks})
    writer.close()
    assert writer.written == 6
    assert [h[0] for h in heard] == [video.pk] * len(heard)
    assert sorted(pair for h in heard for pair in h[1]) == [(o, f) for o in (1, 2) for f in range(3)]
    running = 0
    for _, pairs, seen, setting in heard:
        running += len(pairs)
        assert seen == running  # committed before the pages hear of it, for every other connection
        assert setting == "off"
    assert _setting() == "on"
    stored_areas = sorted(MaskletFrame.objects.filter(masklet__video=video).values_list("area", flat=True))
    assert stored_areas == [4 * 17] * 3 + [24 * 32 - 4 * 17] * 3
