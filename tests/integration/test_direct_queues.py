"""Issue 13: video sessions are pinned to the worker that holds them, through that worker's own queue
(`<worker>.dq2`). Publishing there works on every broker the project supports (filesystem, Redis,
RabbitMQ), as the first message of a fresh web process, from many threads at once; and clicks on a
video session go on after the web server and the worker were restarted."""

import json
import subprocess
import sys
import uuid

import pytest

from tests import media_factory as mf
from tests.processes import REPO, EmbeddedApp, Http, embedded_env, wait_for

pytestmark = pytest.mark.integration
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672"


@pytest.fixture(scope="module")
def rabbitmq_vhost():
    """A RabbitMQ virtual host of this test module's own, removed at the end."""
    vhost = f"engine-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
        check=True,
        capture_output=True,
    )
    yield vhost
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], check=False, capture_output=True)


@pytest.fixture(params=["filesystem", "redis", "rabbitmq"])
def broker_env(request, tmp_path):
    """The environment of an app whose broker is `param`, each in its own space (a folder, a key
    prefix, a virtual host)."""
    if request.param == "filesystem":
        return {}
    if request.param == "redis":
        return {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/15", "CELERY_KEY_PREFIX": f"dq-{uuid.uuid4().hex[:8]}:"}
    return {"CELERY_BROKER_URL": f"{RABBITMQ}/{request.getfixturevalue('rabbitmq_vhost')}"}


def probe(action: str, hostname: str, count: int, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.direct_queue_probe", action, hostname, str(count)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_first_messages_of_a_fresh_process_reach_a_workers_own_queue(broker_env, tmp_path):
    env = embedded_env(VAR_DIR=tmp_path / "var", **broker_env)
    hostname = f"embedded@{uuid.uuid4().hex[:6]}.example"  # Celery node names hold '@' (and often dots)
    assert probe("publish", hostname, 8, env) == {"errors": []}
    assert probe("consume", hostname, 8, env) == {"received": list(range(8))}


def test_video_clicks_go_on_after_the_app_restarts(broker_env, tmp_path):
    """The issue's steps on the embedded default's supervisor with each broker: click, restart the
    web server and the worker, click again (the fresh web process's first message goes to the
    restarted worker's own queue), propagate, and read the stored masks."""
    env = embedded_env(
        VAR_DIR=tmp_path / "var",
        VIDEO_MODEL="classical",
        DJANGO_SUPERUSER_USERNAME="boss",
        DJANGO_SUPERUSER_PASSWORD="a-good-password-42",
        **broker_env,
    )
    app = EmbeddedApp(tmp_path / "var", env).start()
    try:
        app.wait_healthy()
        api = Http(app.base, token=_token(app.base))
        session, video = _session_with_frames(api)
        first = api.post(f"/api/video-sessions/{session}/prompts/", _click(1, x=20))
        assert first.status == 202, first.body
        assert _finished(api, first.body["id"])["state"] == "succeeded"
        worker_before = api.post(f"/api/videos/{video}/session/").body

        app.stop()
        app.start()
        health = app.wait_healthy()
        assert health["checks"]["worker"]["workers"] == [worker_before["worker"]]  # same name, new process

        second = api.post(f"/api/video-sessions/{session}/prompts/", _click(2, x=120))
        assert second.status == 202, second.body
        assert second.body["queue"].endswith(".dq2")  # sent to the restarted worker's own queue
        assert _finished(api, second.body["id"])["state"] == "succeeded"
        propagate = api.post(f"/api/video-sessions/{session}/propagate/", {"start": 0, "direction": "forward"})
        assert propagate.status == 202, propagate.body
        assert _finished(api, propagate.body["id"])["state"] == "succeeded"

        stored = api.get(f"/api/videos/{video}/masklets/").body
        frames = api.post(f"/api/videos/{video}/session/").body["frame_count"]
        by_object = {1: set(), 2: set()}
        for row in stored["frames"]:
            assert row["area"] > 0
            by_object[row["object_id"]].add(row["frame"])
        assert by_object == {1: set(range(frames)), 2: set(range(frames))}
    finally:
        app.stop()


def _token(base: str) -> str:
    answer = Http(base).post("/api/auth/token/", {"username": "boss", "password": "a-good-password-42"})
    assert answer.status == 200, answer.body
    return answer.body["token"]


def _click(obj_id: int, x: int) -> dict:
    return {"frame": 0, "obj_id": obj_id, "points": [[x, 45]], "labels": [1]}


def _finished(api: Http, job_id: int, timeout: float = 180) -> dict:
    def final():
        job = api.get(f"/api/jobs/{job_id}/").body
        return job if job and job["state"] in ("succeeded", "failed", "cancelled") else None

    return wait_for(final, timeout, f"job {job_id}", interval=0.2)


def _session_with_frames(api: Http) -> tuple[int, int]:
    project = api.post("/api/projects/", {"name": f"clips-{uuid.uuid4().hex[:6]}", "kind": "video"})
    assert project.status == 201, project.body
    upload = api.upload(f"/api/projects/{project.body['id']}/videos/", [("clip.mp4", mf.video_bytes(), "video/mp4")])
    assert upload.status == 201, upload.body
    video = upload.body[0]
    assert _finished(api, video["extraction_job"]["id"])["state"] == "succeeded"
    session = api.post(f"/api/videos/{video['id']}/session/")
    assert session.status == 200, session.body
    return session.body["id"], video["id"]
