"""Retraining schedules: validation (clock, cron, recipe, thresholds) with 400s that name the field,
who may see and change them, the PeriodicTask beat reads, the next run time, pause / resume /
delete, and what a firing records (started, skipped while a round runs, too few new masks, failed,
a repeated tick ignored, the threshold from accepted masks)."""

from datetime import timedelta

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from backend.jobs.models import Job
from backend.projects.models import Membership
from backend.training.beat import TrainingScheduler
from backend.training.models import ScheduledRun, TrainingRound, TrainingSchedule
from backend.training.schedule_clock import cron_shortest_gap
from backend.training.schedule_services import schedule_fire
from engine import rle as rle_ops
from tests import media_factory as mf


@pytest.fixture
def project(manager, project_factory, client_for, without_embedding_on_upload):
    project = project_factory(manager)
    client_for(manager).post(
        f"/api/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("a.jpg", mf.jpeg_bytes(60, 40, seed=41))]},
        format="multipart",
    )
    return project


@pytest.fixture
def api(manager, client_for):
    return client_for(manager)


def url(project, *rest) -> str:
    return f"/api/projects/{project.pk}/schedules/" + "".join(f"{part}/" for part in rest)


def add_mask(api, project):
    shape = np.zeros((40, 60), bool)
    shape[5:10, 5:10] = True
    answer = api.post("/api/masks/", {"image": project.images.get().pk, "rle": rle_ops.encode(shape)}, format="json")
    assert answer.status_code == 201, answer.content


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"every": 2, "period": "minutes"}, "every", "more often than every 5 minutes"),
        ({"every": 0, "period": "hours"}, "every", "greater than or equal to 1"),
        ({"every": "6", "period": "weeks"}, "period", "not a valid choice"),
        ({"every": 6}, "period", "required with every"),
        ({"period": "hours"}, "every", "required with period"),
        ({"every": 1.5, "period": "hours"}, "every", "whole number"),
        ({"cron": "0 3 * *"}, "cron", "4 field(s) given"),
        ({"cron": "0 25 * * *"}, "cron", "hour field '25' is not valid"),
        ({"cron": "61 3 * * *"}, "cron", "minute field '61'"),
        ({"cron": "0 3 0 * *"}, "cron", "day of month field '0'"),
        ({"cron": "0 3 * * 7"}, "cron", "day of week field '7'"),
        ({"cron": "*/0 3 * * *"}, "cron", "minute field"),
        ({"cron": "mon 3 * * *"}, "cron", "minute field 'mon'"),
        ({"cron": "*/2 * * * *"}, "cron", "runs every 2 minutes"),
        ({"cron": "0,3 4 * * *"}, "cron", "runs every 3 minutes"),
        ({"cron": 5}, "cron", "A string is required"),
        ({"every": 6, "period": "hours", "cron": "0 3 * * *"}, "cron", "not both"),
        ({"every_masks": 0}, "every_masks", "greater than or equal to 1"),
        ({}, "detail", "needs a clock"),
        ({"every": 6, "period": "hours", "config": {"steps": 0}}, "config", "steps"),
        ({"every": 6, "period": "hours", "config": {"trainable": "everything"}}, "config", "trainable"),
        ({"every": 6, "period": "hours", "config": {"gate_metric": "accuracy"}}, "config", "gate_metric"),
        ({"every": 6, "period": "hours", "config": {"colour": "red"}}, "config", "colour"),
        ({"every": 6, "period": "hours", "min_new_masks": -1}, "min_new_masks", "greater than or equal to 0"),
        ({"every": 6, "period": "hours", "name": "x" * 101}, "name", "100 characters"),
    ],
)
def test_bad_schedules_are_refused_naming_the_field(project, api, body, field, words):
    answer = api.post(url(project), body, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json(), answer.json()
    assert words in str(answer.json()[field]), answer.json()
    assert (
        not TrainingSchedule.objects.exists() and not PeriodicTask.objects.filter(task__startswith="training.").exists()
    )


def test_the_minimum_interval_is_a_setting(project, api, settings):
    settings.TRAINING_SCHEDULE_MIN_INTERVAL_SECONDS = 60
    assert api.post(url(project), {"every": 1, "period": "minutes"}, format="json").status_code == 201
    assert api.post(url(project), {"cron": "* * * * *"}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("cron", "minutes"),
    [
        ("0 3 * * *", 24 * 60),
        ("*/15 * * * *", 15),
        ("0 */6 * * mon-fri", 360),
        ("50 23 * * *", 24 * 60),
        ("0,50 23 * * *", 50),
    ],
)
def test_shortest_gap_of_a_crontab(cron, minutes):
    fields = dict(zip(("minute", "hour", "day_of_month", "month_of_year", "day_of_week"), cron.split(), strict=True))
    assert cron_shortest_gap(fields) == minutes * 60


def test_a_schedule_is_a_periodic_task_for_beat_with_its_next_run(project, api):
    before = timezone.now()
    answer = api.post(
        url(project),
        {
            "name": "nightly",
            "every": 6,
            "period": "hours",
            "config": {"steps": 50, "trainable": "decoder", "gate_metric": "mIoU@1"},
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["every"], body["period"], body["cron"], body["paused"]) == (6, "hours", None, False)
    assert body["config"] == {"steps": 50, "trainable": "decoder", "gate_metric": "mIoU@1"}
    next_run = timezone.datetime.fromisoformat(body["next_run_at"])
    assert before + timedelta(hours=6) <= next_run <= timezone.now() + timedelta(hours=6)
    task = PeriodicTask.objects.get(task="training.schedule_fire")
    assert (
        task.args == f"[{body['id']}]" and task.enabled and task.interval.every == 6 and task.interval.period == "hours"
    )

    cron = api.patch(url(project, body["id"]), {"cron": "30 2 * * *"}, format="json").json()
    assert (cron["every"], cron["cron"]) == (None, "30 2 * * *")
    task.refresh_from_db()
    assert task.interval is None and (task.crontab.minute, task.crontab.hour) == ("30", "2")
    next_run = timezone.datetime.fromisoformat(cron["next_run_at"])
    assert (next_run.hour, next_run.minute) == (2, 30) and next_run > timezone.now()

    paused = api.patch(url(project, body["id"]), {"paused": True}, format="json").json()
    assert paused["paused"] is True and paused["next_run_at"] is None
    task.refresh_from_db()
    assert not task.enabled
    resumed = api.patch(url(project, body["id"]), {"paused": False}, format="json").json()
    assert resumed["next_run_at"] is not None
    task.refresh_from_db()
    assert task.enabled

    assert api.delete(url(project, body["id"])).status_code == 204
    assert not PeriodicTask.objects.filter(pk=task.pk).exists() and not TrainingSchedule.objects.exists()
    assert api.get(url(project, body["id"])).status_code == 404


def test_a_deleted_project_takes_its_schedules_periodic_tasks_along(project, api):
    assert api.post(url(project), {"every": 1, "period": "days"}, format="json").status_code == 201
    assert PeriodicTask.objects.filter(task="training.schedule_fire").count() == 1
    project.delete()
    assert not TrainingSchedule.objects.exists()
    assert not PeriodicTask.objects.filter(task="training.schedule_fire").exists()


def test_only_managers_and_staff_see_and_change_schedules(project, api, make_user, client_for):
    created = api.post(url(project), {"every_masks": 10}, format="json")
    assert created.status_code == 201 and created.json()["next_run_at"] is None  # masks only: no clock
    schedule_id = created.json()["id"]
    for role in ("annotator", "reviewer", "researcher"):
        member = make_user()
        Membership.objects.create(user=member, project=project, role=role)
        other = client_for(member)
        assert other.get(url(project)).status_code == 403
        assert other.post(url(project), {"every_masks": 5}, format="json").status_code == 403
        assert other.patch(url(project, schedule_id), {"paused": True}, format="json").status_code == 403
        assert other.delete(url(project, schedule_id)).status_code == 403
        assert other.get(url(project, schedule_id, "runs")).status_code == 403
    assert client_for(make_user()).get(url(project)).status_code == 404  # not a member
    staff = client_for(make_user(is_staff=True))
    assert [s["id"] for s in staff.get(url(project)).json()["results"]] == [schedule_id]
    assert TrainingSchedule.objects.get().paused is False


def test_a_tick_starts_a_round_then_skips_while_it_runs_and_while_masks_are_few(project, api, settings):
    settings.TRAINING_SCHEDULE_MIN_INTERVAL_SECONDS = 60
    add_mask(api, project)
    schedule_id = api.post(
        url(project), {"every": 1, "period": "minutes", "config": {"steps": 7}}, format="json"
    ).json()["id"]

    started = schedule_fire(schedule_id, "time")
    assert started.outcome == "started" and started.training_round.trigger == "schedule"
    assert started.training_round.config == {"steps": 7} and started.new_masks == 1
    assert schedule_fire(schedule_id, "time") is None  # the same tick again (a restarted beat): ignored

    ScheduledRun.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    skipped = schedule_fire(schedule_id, "time")
    assert skipped.outcome == "skipped_running" and skipped.training_round == started.training_round
    assert f"round {started.training_round.pk} was still queued" in skipped.message
    assert TrainingRound.objects.count() == 1

    Job.objects.update(state="succeeded")
    ScheduledRun.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    few = schedule_fire(schedule_id, "time")
    assert few.outcome == "skipped_few_masks" and few.new_masks == 0
    assert "0 mask(s) accepted since the last round; this schedule needs 1" in few.message

    runs = api.get(url(project, schedule_id, "runs")).json()["results"]
    assert [r["outcome"] for r in runs] == ["skipped_few_masks", "skipped_running", "started"]
    assert runs[2]["training_round"] == started.training_round.pk and runs[2]["round_state"] == "succeeded"
    assert api.get(url(project, schedule_id)).json()["last_run"]["outcome"] == "skipped_few_masks"


def test_a_paused_schedule_does_not_fire_and_a_failure_is_recorded(project, api, settings):
    settings.TRAINING_SCHEDULE_MIN_INTERVAL_SECONDS = 60
    add_mask(api, project)
    schedule_id = api.post(url(project), {"every": 1, "period": "minutes", "min_new_masks": 0}, format="json").json()[
        "id"
    ]
    api.patch(url(project, schedule_id), {"paused": True}, format="json")
    assert schedule_fire(schedule_id, "time") is None and not TrainingRound.objects.exists()
    api.patch(url(project, schedule_id), {"paused": False}, format="json")
    TrainingSchedule.objects.update(config={"colour": "red"})  # a recipe that no longer reads
    failed = schedule_fire(schedule_id, "time")
    assert failed.outcome == "failed" and failed.message and not TrainingRound.objects.exists()


def test_beat_fires_schedules_in_its_own_process(project, api, settings):
    settings.TRAINING_SCHEDULE_MIN_INTERVAL_SECONDS = 60
    add_mask(api, project)
    schedule_id = api.post(url(project), {"every": 1, "period": "minutes"}, format="json").json()["id"]
    PeriodicTask.objects.filter(task="training.schedule_fire").update(last_run_at=timezone.now() - timedelta(minutes=5))

    class Entry:  # what beat hands apply_async for the schedule's PeriodicTask
        task, args = "training.schedule_fire", [schedule_id]

    scheduler = TrainingScheduler.__new__(TrainingScheduler)
    assert scheduler.apply_async(Entry()) is None  # nothing sent to a broker
    assert ScheduledRun.objects.get().outcome == "started"


def test_a_threshold_schedule_fires_after_the_nth_accepted_mask(
    project, api, settings, django_capture_on_commit_callbacks
):
    add_mask(api, project)  # before the schedule: does not count
    assert api.post(url(project), {"every_masks": 3, "config": {"steps": 4}}, format="json").status_code == 201
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            add_mask(api, project)
    assert not ScheduledRun.objects.exists() and not TrainingRound.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        add_mask(api, project)
    run = ScheduledRun.objects.get()
    assert (run.trigger, run.outcome, run.new_masks) == ("masks", "started", 3)
    assert run.training_round.config == {"steps": 4}

    for _ in range(4):  # while the round runs: one skip recorded, not one per mask
        with django_capture_on_commit_callbacks(execute=True):
            add_mask(api, project)
    assert list(ScheduledRun.objects.values_list("outcome", flat=True)) == ["skipped_running", "started"]
    assert TrainingRound.objects.count() == 1


def test_a_beat_back_from_downtime_fires_once_not_a_burst(transactional_db, project, api, settings):
    """Beat itself (TrainingScheduler over the database): ten minutes of missed ticks of a schedule
    every minute fire one run; a beat killed before saving its last run time and started again
    fires none again."""
    from backend.jobs.celery_app import app

    settings.TRAINING_SCHEDULE_MIN_INTERVAL_SECONDS = 60
    add_mask(api, project)
    schedule_id = api.post(url(project), {"every": 1, "period": "minutes"}, format="json").json()["id"]
    PeriodicTask.objects.filter(task="training.schedule_fire").update(
        last_run_at=timezone.now() - timedelta(minutes=10)
    )

    def run_killed(ticks=20):
        scheduler = TrainingScheduler(app=app)
        for _ in range(ticks):
            scheduler.tick()
        scheduler._finalize.cancel()  # killed: what it ran is not saved

    run_killed()
    assert list(ScheduledRun.objects.values_list("outcome", flat=True)) == ["started"]
    assert PeriodicTask.objects.get(task="training.schedule_fire").last_run_at < timezone.now() - timedelta(minutes=9)
    run_killed()
    assert ScheduledRun.objects.filter(schedule_id=schedule_id).count() == 1
    assert TrainingRound.objects.count() == 1
