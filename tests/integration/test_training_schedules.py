"""Retraining schedules fire on every deployment (issue 18), through the API against real processes:
the embedded default (`run_embedded`: SQLite, the filesystem broker, web + worker + beat under one
supervisor) and PostgreSQL + Redis (gunicorn, a Celery worker and celery beat). A schedule every
minute (the test lowers the deployment's minimum to a minute) starts a round when its next run time
comes; the next tick, while that round runs, is recorded as skipped; once paused it fires no more.
A threshold schedule (in another project) starts a round at the Nth accepted mask, not before.

The round is held running by a failpoint (JOB_FAILPOINTS=training_round): the first attempt waits
at its first progress report until the worker is stopped. Every wait polls a condition."""

import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from engine import rle as rle_ops
from tests.conftest import OUTPUT
from tests.fault_scenarios import Stack, scene_png
from tests.processes import EmbeddedApp, Http, beat_service, embedded_env, process_env, tiny_sam_env, wait_for
from training.snapshot import DEFAULT_HELDOUT_PERCENT, is_heldout

pytestmark = pytest.mark.integration
MINUTE = 60
# How late a tick may come: beat wakes every 5 s at most; the rest is a loaded test machine.
LATE = 40


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _project_with_image(api: Http, name: str) -> tuple[dict, dict, list]:
    """A project and an image its rounds train on: the snapshot rule holds out 10 % of images by
    their hash and the project's id, so an image that falls in the held-out set (the round would
    fail: nothing to train on) is passed over for the next scene."""
    project = api.post("/api/projects/", {"name": f"{name}-{uuid.uuid4().hex[:6]}", "categories": ["shape"]}).body
    for seed in range(7, 17):
        png, masks = scene_png(seed=seed)
        [image] = api.upload(f"/api/projects/{project['id']}/images/", [("scene.png", png, "image/png")]).body
        if not is_heldout(image["sha256"], f"project-{project['id']}", DEFAULT_HELDOUT_PERCENT):
            return project, image, masks
    raise AssertionError("ten scenes in a row fell in the held-out set")


def _accept_mask(api: Http, image: dict, mask) -> None:
    answer = api.post("/api/masks/", {"image": image["id"], "rle": rle_ops.encode(mask)})
    assert answer.status == 201, answer.body


def _runs(api: Http, project_id: int, schedule_id: int) -> list[dict]:
    answer = api.get(f"/api/projects/{project_id}/schedules/{schedule_id}/runs/")
    assert answer.status == 200, answer.body
    return list(reversed(answer.body["results"]))  # oldest first


def _threshold_fires_at_the_nth_mask(api: Http) -> None:
    project, image, masks = _project_with_image(api, "threshold")
    created = api.post(f"/api/projects/{project['id']}/schedules/", {"every_masks": 2, "config": {"steps": 3}})
    assert created.status == 201, created.body
    schedule_id = created.body["id"]
    _accept_mask(api, image, masks[0])
    assert _runs(api, project["id"], schedule_id) == []  # one of the two
    _accept_mask(api, image, masks[1])
    [run] = wait_for(lambda: _runs(api, project["id"], schedule_id), 30, "the threshold schedule's run")
    assert (run["trigger"], run["outcome"], run["new_masks"]) == ("masks", "started", 2), run
    training_round = api.get(f"/api/rounds/{run['training_round']}/").body
    assert (training_round["trigger"], training_round["config"]) == ("schedule", {"steps": 3})


def _clock_fires_skips_and_pauses(api: Http, failpoints: Path) -> None:
    project, image, masks = _project_with_image(api, "clock")
    _accept_mask(api, image, masks[0])
    schedules = f"/api/projects/{project['id']}/schedules/"
    created = api.post(schedules, {"name": "every minute", "every": 1, "period": "minutes", "config": {"steps": 3}})
    assert created.status == 201, created.body
    schedule_id, due = created.body["id"], _when(created.body["next_run_at"])
    listed = api.get(schedules).body["results"]
    assert [(s["id"], s["next_run_at"]) for s in listed] == [(schedule_id, created.body["next_run_at"])]

    # On time: not before the next run time the API showed, and within LATE seconds of it.
    wait = (due - datetime.now(due.tzinfo)).total_seconds() + LATE
    [first] = wait_for(lambda: _runs(api, project["id"], schedule_id), wait, "the first tick")
    assert (first["trigger"], first["outcome"]) == ("time", "started"), first
    assert _when(first["created_at"]) >= due - timedelta(seconds=1)
    training_round = api.get(f"/api/rounds/{first['training_round']}/").body
    assert training_round["trigger"] == "schedule"
    marker = failpoints / f"training_round-{training_round['job']['id']}.reached"
    wait_for(marker.exists, 120, "the scheduled round running on the worker")

    # The next tick while that round runs: recorded as skipped, and no second round.
    wait_for(lambda: len(_runs(api, project["id"], schedule_id)) >= 2, MINUTE + LATE, "the second tick")
    second = _runs(api, project["id"], schedule_id)[1]
    assert (second["outcome"], second["training_round"]) == ("skipped_running", first["training_round"]), second
    assert _when(second["created_at"]) >= _when(first["created_at"]) + timedelta(seconds=MINUTE - 1)
    assert len(api.get(f"/api/projects/{project['id']}/rounds/").body["results"]) == 1

    # Paused: no more ticks. A second schedule created now fires one period later, after the paused
    # one's next tick would have come: once it has fired, the paused one has had its chance.
    paused = api.patch(f"{schedules}{schedule_id}/", {"paused": True})
    assert paused.status == 200 and paused.body["paused"] is True and paused.body["next_run_at"] is None
    witness = api.post(schedules, {"name": "witness", "every": 1, "period": "minutes"}).body
    wait_for(lambda: _runs(api, project["id"], witness["id"]), MINUTE + LATE, "the witness schedule's tick")
    assert len(_runs(api, project["id"], schedule_id)) == 2
    assert api.delete(f"{schedules}{schedule_id}/").status == 204


def test_schedules_on_the_embedded_default(tmp_path):
    failpoints = tmp_path / "failpoints"
    failpoints.mkdir()
    env = embedded_env(
        DJANGO_SUPERUSER_USERNAME="boss",
        DJANGO_SUPERUSER_PASSWORD="a-good-password-42",
        TRAINING_SCHEDULE_MIN_INTERVAL_SECONDS=MINUTE,
        JOB_FAILPOINTS="training_round",
        JOB_FAILPOINT_DIR=failpoints,
        **tiny_sam_env(tmp_path / "checkpoints"),  # a model that trains (the classical one does not)
    )
    app = EmbeddedApp(tmp_path / "var", env).start()
    try:
        app.wait_healthy()
        assert {"web", "worker", "beat"} <= set(app.pids())  # beat runs beside them, supervised
        token = Http(app.base).post("/api/auth/token/", {"username": "boss", "password": "a-good-password-42"})
        api = Http(app.base, token.body["token"])
        _clock_fires_skips_and_pauses(api, failpoints)
        _threshold_fires_at_the_nth_mask(api)
    finally:
        app.stop()


@pytest.fixture
def services_stack(transactional_db, worker_database_url, tmp_path, make_user):
    """gunicorn, a worker and beat on the test database, Redis and S3; an admin's token."""
    failpoints = tmp_path / "failpoints"
    failpoints.mkdir()
    env = process_env(
        DATABASE_URL=worker_database_url,
        TRAINING_SCHEDULE_MIN_INTERVAL_SECONDS=MINUTE,
        JOB_FAILPOINTS="training_round",
        JOB_FAILPOINT_DIR=failpoints,
        **tiny_sam_env(tmp_path / "checkpoints"),
    )
    stack = Stack(env, OUTPUT / "schedules")
    try:
        stack.worker()
        stack.services.append(beat_service(env, OUTPUT / "schedules").start())
        _, base = stack.web()
        wait_for(lambda: Http(base).get("/api/health/").status == 200, 120, "the web server")
        admin = make_user("schedules-admin", is_staff=True, is_superuser=True)
        yield Http(base, Token.objects.create(user=admin).key), failpoints
    finally:
        for service in stack.services:
            service.kill()  # the worker waits at the failpoint: no graceful end to wait for


def test_schedules_on_postgresql_and_redis(services_stack):
    api, failpoints = services_stack
    _clock_fires_skips_and_pauses(api, failpoints)
    _threshold_fires_at_the_nth_mask(api)
