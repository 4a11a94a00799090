"""Pushed video updates without servers (the embedded bus: Unix datagram sockets): a message
published by another process reaches this one's subscriber; a session's event stream carries the
masks a click stored (the same rows the masklets endpoint answers) and its job's end; opening a
session asks the worker to warm it up once."""

import json
import subprocess
import sys

from backend.annotations.models import Masklet
from backend.inference.models import VideoSession
from backend.inference.tasks import video_prompt, video_propagate, video_warm
from backend.jobs.events import SocketHub
from backend.jobs.models import Job
from backend.jobs.services import job_run
from backend.jobs.worker import delivery_run
from backend.media.models import Video
from tests.unit.backend.conftest import FRAMES, HEIGHT, WIDTH


def read_events(chunks, until, limit: int = 50) -> list[dict]:
    """The stream's events (keep-alives skipped) up to the first for which until(event) holds."""
    events = []
    for chunk in chunks:
        text = chunk.decode()
        if text.startswith(":"):
            continue
        event = json.loads(text.split("data: ", 1)[1])
        events.append(event)
        if until(event) or len(events) >= limit:
            return events
    return events


def test_a_message_from_another_process_reaches_a_subscriber(settings):
    with SocketHub(settings.VAR_DIR).subscribe(["inference.videosession:7"]) as subscription:
        script = (
            "import sys; from pathlib import Path; from backend.jobs.events import SocketHub; "
            "SocketHub(Path(sys.argv[1])).publish('inference.videosession:7', {'type': 'masks', 'n': 1}); "
            "SocketHub(Path(sys.argv[1])).publish('inference.videosession:8', {'type': 'masks', 'n': 2})"
        )
        subprocess.run([sys.executable, "-c", script, str(settings.VAR_DIR)], check=True, timeout=60)
        assert subscription.get(timeout=10) == {"type": "masks", "n": 1}
        assert subscription.get(timeout=0.2) is None  # another session's message is not delivered here


def test_a_message_too_big_for_a_datagram_asks_to_resync(settings):
    with SocketHub(settings.VAR_DIR).subscribe(["big"]) as subscription:
        SocketHub(settings.VAR_DIR).publish("big", {"type": "masks", "blob": "x" * 300_000})
        assert subscription.get(timeout=10) == {"type": "resync"}


def test_the_stream_pushes_a_clicks_mask_and_the_propagated_frames(video, manager, client_for, classical):
    api = client_for(manager)
    session = api.post(f"/api/videos/{video.pk}/session/").json()
    warm = Job.objects.get(kind="video_warm", subject_id=session["id"])
    api.post(f"/api/videos/{video.pk}/session/")  # a reload while the warm-up waits: no second one
    assert Job.objects.filter(kind="video_warm", subject_id=session["id"]).count() == 1
    assert job_run(warm.pk, video_warm.work, worker="test").state == "succeeded"

    response = api.get(f"/api/video-sessions/{session['id']}/events/", HTTP_ACCEPT="text/event-stream")
    assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
    chunks = iter(response.streaming_content)
    assert read_events(chunks, lambda e: True) == [{"type": "hello"}]  # subscribed: what comes next is pushed

    click = {"frame": 0, "obj_id": 1, "points": [[20, 30]], "labels": [1]}
    job = api.post(f"/api/video-sessions/{session['id']}/prompts/", click, format="json").json()
    job_run(job["id"], video_prompt.work, worker="test")
    events = read_events(chunks, lambda e: e["type"] == "job" and e["job"]["state"] == "succeeded")
    stored = api.get(f"/api/videos/{video.pk}/masklets/").json()["frames"]
    [masks] = [e for e in events if e["type"] == "masks"]
    assert masks["frames"] == stored  # exactly the row the masklets endpoint answers
    [masklet] = Masklet.objects.filter(video=video)
    assert masks["masklets"] == [
        {"id": masklet.pk, "object_id": 1, "category": masklet.category_id, "status": masklet.status}
    ]
    assert [e["job"]["state"] for e in events if e["type"] == "job"] == ["running", "succeeded"]

    # A masklet changed between two operations: the next pushes carry it as it is now.
    Masklet.objects.filter(pk=masklet.pk).update(status=Masklet.Status.REJECTED)
    job = api.post(f"/api/video-sessions/{session['id']}/propagate/", {"start": 0, "direction": "forward"}).json()
    job_run(job["id"], video_propagate.work, worker="test")
    events = read_events(chunks, lambda e: e["type"] == "job" and e["job"]["state"] == "succeeded")
    pushed = {(f["object_id"], f["frame"]): f for e in events if e["type"] == "masks" for f in e["frames"]}
    stored = {(f["object_id"], f["frame"]): f for f in api.get(f"/api/videos/{video.pk}/masklets/").json()["frames"]}
    assert sorted(pushed) == [(1, frame) for frame in range(1, FRAMES)]
    assert all(pushed[key] == stored[key] for key in pushed)
    assert {m["status"] for e in events if e["type"] == "masks" for m in e["masklets"]} == {"rejected"}
    response.close()


def test_the_stream_refuses_a_stranger_in_json(video, make_user, client_for, manager):
    session = VideoSession.objects.create(video=video)
    stranger = client_for(make_user("stranger"))
    answer = stranger.get(f"/api/video-sessions/{session.pk}/events/", HTTP_ACCEPT="text/event-stream")
    assert answer.status_code == 404 and answer.json()["detail"]
    assert client_for(manager).get("/api/video-sessions/999999/events/").status_code == 404


def test_operations_queued_meanwhile_run_in_the_same_delivery_in_order(video, manager, client_for, classical):
    """The page sends a click, another, and a propagation while the warm-up runs: the warm-up's
    delivery runs them after it, oldest first (no wait for the broker between them); each one's own
    message, when it comes, finds it done; another session's operation is left to its own. The
    warm-up leaves the operations it finds queued to their jobs (had it replayed the propagation,
    that pass would have stored no frames and its job would have found it applied)."""
    api = client_for(manager)
    session = api.post(f"/api/videos/{video.pk}/session/").json()
    base = f"/api/video-sessions/{session['id']}"
    sent = [
        api.post(f"{base}/prompts/", {"frame": 0, "obj_id": 1, "points": [[20, 30]], "labels": [1]}, format="json"),
        api.post(f"{base}/prompts/", {"frame": 2, "obj_id": 2, "points": [[30, 30]], "labels": [1]}, format="json"),
        api.post(f"{base}/propagate/", {"start": 0, "direction": "forward"}, format="json"),
    ]
    assert [answer.status_code for answer in sent] == [202, 202, 202]
    operations = [answer.json()["id"] for answer in sent]
    warm = Job.objects.get(kind="video_warm", subject_id=session["id"])
    other_video = Video.objects.create(
        project=video.project, sha256="f" * 64, storage_key="none", format="mp4", size_bytes=0, width=WIDTH,
        height=HEIGHT, fps=6.0, frame_count=FRAMES, duration=1.0, annotation_fps=6.0,
    )  # fmt: skip
    other_session = VideoSession.objects.create(video=other_video)
    other = Job.objects.create(
        kind="video_prompt", queue=warm.queue, task_name="inference.video_prompt",
        subject_type=warm.subject_type, subject_id=other_session.pk, params={"seq": 1},
    )  # fmt: skip

    delivery_run(warm.pk, video_warm.work, worker="test", then=video_warm.then)  # one delivery, as the task runs it

    ran = sorted(Job.objects.filter(pk__in=[warm.pk, *operations]), key=lambda job: job.started_at)
    assert [job.pk for job in ran] == [warm.pk, *operations]
    assert all(job.state == "succeeded" and job.attempts == 1 for job in ran)
    frames = {
        (f["object_id"], f["frame"], f["source"]) for f in api.get(f"/api/videos/{video.pk}/masklets/").json()["frames"]
    }
    assert {(1, 0, "prompted"), (2, 2, "prompted"), (1, 5, "propagated"), (2, 5, "propagated")} <= frames
    assert Job.objects.get(pk=other.pk).state == "queued"

    for job_id, task in zip(operations, (video_prompt, video_prompt, video_propagate), strict=True):
        delivery_run(job_id, task.work, worker="test", then=task.then)  # its own message, delivered late
    assert all(job.attempts == 1 for job in Job.objects.filter(pk__in=operations))
