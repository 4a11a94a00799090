"""Ingest against the real services: PostgreSQL, Redis broker, SeaweedFS S3 and a Celery worker.

Uses the real photos and video of ../shared/fixtures when present, and generated media always."""

import io

import pytest
from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from backend.inference.models import Embedding
from backend.jobs.models import Job
from backend.media.models import Frame, Image, Video
from backend.media.services import annotation_frame_plan
from backend.projects.models import Project
from tests import media_factory as mf
from tests.conftest import wait_for_job

pytestmark = pytest.mark.integration


def test_storage_is_s3_in_the_integration_run():
    assert settings.STORAGE.kind == "s3"
    assert type(storages["default"]).__name__ == "S3Storage"


def _photos() -> list[tuple[str, bytes]]:
    real = [(p.name, p.read_bytes()) for p in mf.fixture_photos()]
    return [*real, ("generated.jpg", mf.jpeg_bytes(400, 300, seed=101))]


def test_upload_photos_and_video_through_the_api(celery_worker, make_user, client_for, project_factory):
    manager = make_user("ingest-manager")
    api = client_for(manager)
    images = project_factory(manager, name="photos")
    photos = _photos()
    response = api.post(
        f"/api/projects/{images.pk}/images/",
        {"files": [SimpleUploadedFile(n, d) for n, d in photos]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert len(response.json()) == len(photos)
    for item, (_, data) in zip(response.json(), photos, strict=False):
        assert default_storage.open(Image.objects.get(pk=item["id"]).storage_key).read() == data
    # every image gets its embedding computed ahead of the annotator, on the gpu queue
    for job in Job.objects.filter(kind="embed"):
        assert wait_for_job(job.pk, worker=celery_worker).state == Job.State.SUCCEEDED, job.message
    assert Embedding.objects.filter(status="ready").count() == len(photos)

    videos = project_factory(manager, name="clips", kind="video")
    clips = [("generated.mp4", mf.video_bytes(frames=48, fps=24.0))]
    if mf.fixture_video():
        clips.append((mf.fixture_video().name, mf.fixture_video().read_bytes()))
    response = api.post(
        f"/api/projects/{videos.pk}/videos/",
        {"files": [SimpleUploadedFile(n, d) for n, d in clips]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    for item in response.json():
        video = Video.objects.get(pk=item["id"])
        job = wait_for_job(item["extraction_job"]["id"], worker=celery_worker)
        assert job.state == Job.State.SUCCEEDED, job.message
        assert job.progress == 1.0
        expected = annotation_frame_plan(video.frame_count, video.fps, 6)
        assert video.annotation_fps == 6
        frames = list(Frame.objects.filter(video=video).order_by("index"))
        assert [f.source_index for f in frames] == expected
        assert len(frames) == int((video.frame_count - 1) * 6 / video.fps) + 1
        # frames are JPEGs in S3, at 6 fps: consecutive frames 1/6 s apart
        assert abs((frames[1].timestamp - frames[0].timestamp) - 1 / 6) < 1 / video.fps
        first = default_storage.open(frames[0].storage_key).read()
        assert first[:3] == b"\xff\xd8\xff"
        detail = api.get(f"/api/jobs/{job.pk}/").json()
        assert detail["state"] == "succeeded" and detail["progress"] == 1.0
        assert api.get(f"/api/videos/{video.pk}/frames/{frames[-1].index}/").status_code == 200
    if mf.fixture_video():  # the real 30 fps, 200-frame clip gives 40 frames at 6 fps
        real = Video.objects.get(project=videos, file_name="bedroom.mp4")
        assert real.frames.count() == len(annotation_frame_plan(real.frame_count, real.fps, 6))


def test_import_media_cli_creates_the_project(celery_worker, tmp_path, make_user):
    make_user("cli-admin", is_superuser=True, is_staff=True)
    folder = tmp_path / "shoot"
    folder.mkdir()
    for name, data in _photos():
        (folder / name).write_bytes(data)
    (folder / "notes.txt").write_text("ignored: not media")
    out = io.StringIO()
    call_command("import_media", str(folder), "--project", "cli-photos", stdout=out, stderr=io.StringIO())
    project = Project.objects.get(name="cli-photos")
    assert project.kind == "image"
    assert project.images.count() == len(_photos())
    assert f"{len(_photos())} imported" in out.getvalue()
    # importing again adds nothing
    out = io.StringIO()
    call_command("import_media", str(folder), "--project", "cli-photos", stdout=out, stderr=io.StringIO())
    assert "0 imported" in out.getvalue() and project.images.count() == len(_photos())

    clip = tmp_path / "clip.mp4"
    clip.write_bytes(mf.video_bytes(frames=24, fps=24.0))
    call_command("import_media", str(clip), "--project", "cli-video", stdout=io.StringIO())
    video = Video.objects.get(project__name="cli-video")
    job = Job.objects.get(kind="extract_frames", subject_id=video.pk)
    assert wait_for_job(job.pk, worker=celery_worker).state == Job.State.SUCCEEDED
    assert video.frames.count() == 6


def test_health_reports_every_service(celery_worker, client):
    body = client.get("/api/health/").json()
    assert body["status"] == "ok", body
    checks = body["checks"]
    assert checks["database"]["engine"] == "postgresql"
    assert "redis" in checks["broker"]["transport"]
    assert checks["storage"]["kind"] == "s3"
    assert {"gpu", "cpu", "train"} <= set(checks["worker"]["queues"])
    assert checks["model"]["backend"] == "classical"


def test_health_says_degraded_without_a_worker(transactional_db, client):
    from backend.jobs.models import WorkerHeartbeat

    WorkerHeartbeat.objects.all().delete()
    response = client.get("/api/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False
