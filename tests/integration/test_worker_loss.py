"""Late acks with an attempt cap: a worker killed in the middle of a job leaves its message to be
redelivered, and the job finishes on another worker without redoing what was already done."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.jobs.models import Job
from backend.media.models import Frame, Video
from backend.media.services import annotation_frame_plan
from tests import media_factory as mf
from tests.conftest import wait_for_job, wait_for_worker, wait_until

pytestmark = pytest.mark.integration
REDELIVERY = {"CELERY_VISIBILITY_TIMEOUT": 2, "CELERY_RESTORE_INTERVAL": 1}


def test_frame_extraction_survives_a_killed_worker(
    transactional_db, worker_factory, make_user, client_for, project_factory
):
    manager = make_user("kill-manager")
    project = project_factory(manager, kind="video")
    clip = mf.video_bytes(frames=960, fps=24.0, width=480, height=270)
    first = wait_for_worker(worker_factory(queues="cpu", **REDELIVERY))
    response = client_for(manager).post(
        f"/api/projects/{project.pk}/videos/", {"files": [SimpleUploadedFile("long.mp4", clip)]}, format="multipart"
    )
    assert response.status_code == 201, response.content
    job_id = response.json()[0]["extraction_job"]["id"]
    wait_until(lambda: Job.objects.get(pk=job_id).progress > 0, timeout=120, what="extraction under way")
    first.kill()
    done_before = Frame.objects.filter(video__project=project).count()
    job = Job.objects.get(pk=job_id)
    assert job.state == "running" and job.attempts == 1 and done_before > 0

    second = wait_for_worker(worker_factory(queues="cpu", **REDELIVERY))
    job = wait_for_job(job_id, timeout=180, worker=second)
    assert job.state == "succeeded", job.message
    assert job.attempts == 2 and job.progress == 1.0
    video = Video.objects.get(project=project)
    plan = annotation_frame_plan(video.frame_count, video.fps, 6)
    assert list(video.frames.order_by("index").values_list("source_index", flat=True)) == plan
    second.stop()
